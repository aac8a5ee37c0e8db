package dev.phi4ee.core.api;

/** Why generation ended. */
public enum FinishReason {
    /** An end-of-sequence token or a stop string was produced. */
    STOP,
    /**
     * The model ended its turn after calling tools ({@link GenerationResult#toolCalls()}); OpenAI's
     * {@code tool_calls}.
     */
    TOOL_CALLS,
    /** {@code maxNewTokens} (or the context window) was reached. */
    LENGTH,
    /** The caller cancelled the request ({@link GenerationHandle#cancel()}); the text is what was generated before. */
    CANCELLED,
    /** The request's deadline passed. */
    DEADLINE
}

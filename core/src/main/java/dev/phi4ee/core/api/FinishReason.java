package dev.phi4ee.core.api;

/** Why generation ended. */
public enum FinishReason {
    /** An end-of-sequence token or a stop string was produced. */
    STOP,
    /** {@code maxNewTokens} (or the context window) was reached. */
    LENGTH,
    /** The caller cancelled the request. */
    CANCELLED,
    /** The request's deadline passed. */
    DEADLINE
}

package dev.phi4ee.core.api;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of a request: generated text (stop strings removed), why it ended, usage, timings, token ids, and the
 * tool calls parsed from the text. The text is what was streamed: a tool call's {@code <|tool_call|>…<|/tool_call|>}
 * markup stays in it (the tool tokens are not special tokens, reference §6.1).
 *
 * @param toolCalls calls in order of appearance; when there are any and the model ended its turn, the finish reason
 *     is {@link FinishReason#TOOL_CALLS}
 */
public record GenerationResult(
        String text,
        FinishReason finishReason,
        TokenUsage usage,
        Timings timings,
        List<Integer> tokenIds,
        List<ToolCall> toolCalls) {
    public GenerationResult {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
        tokenIds = List.copyOf(tokenIds);
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    /** A result without tool calls. */
    public GenerationResult(
            String text, FinishReason finishReason, TokenUsage usage, Timings timings, List<Integer> tokenIds) {
        this(text, finishReason, usage, timings, tokenIds, List.of());
    }
}

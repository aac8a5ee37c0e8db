package dev.phi4ee.core.api;

import java.util.List;
import java.util.Objects;

/** The outcome of a request: generated text (stop strings removed), why it ended, usage, timings, token ids. */
public record GenerationResult(
        String text, FinishReason finishReason, TokenUsage usage, Timings timings, List<Integer> tokenIds) {
    public GenerationResult {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
        tokenIds = List.copyOf(tokenIds);
    }
}

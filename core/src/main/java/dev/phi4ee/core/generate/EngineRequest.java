package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Timings;
import dev.phi4ee.core.api.TokenListener;
import dev.phi4ee.core.api.TokenUsage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A request accepted by the engine: its prompt ids, options, listener and result future. Cancellation and the
 * deadline are flags the decode loop checks before every step; a request still waiting in the queue is completed at
 * once through {@code onAbandon}.
 */
final class EngineRequest implements GenerationHandle {
    final int[] promptIds;
    final PreparedPrompt prepared;
    final int imageTokens;
    final int audioTokens;
    final GenerationOptions options;
    final TokenChooser chooser;
    final TokenListener listener;
    final long acceptedNanos;
    final long deadlineNanos;
    private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
    private final Consumer<EngineRequest> onAbandon;
    private volatile FinishReason abortReason;

    EngineRequest(
            int[] promptIds,
            PreparedPrompt prepared,
            int imageTokens,
            int audioTokens,
            GenerationOptions options,
            TokenChooser chooser,
            TokenListener listener,
            Consumer<EngineRequest> onAbandon) {
        this.promptIds = promptIds;
        this.prepared = prepared;
        this.imageTokens = imageTokens;
        this.audioTokens = audioTokens;
        this.options = options;
        this.chooser = chooser;
        this.listener = listener;
        this.onAbandon = onAbandon;
        this.acceptedNanos = System.nanoTime();
        Duration t = options.timeout();
        this.deadlineNanos = t == null ? Long.MAX_VALUE : acceptedNanos + Math.max(0, t.toNanos());
    }

    @Override
    public CompletableFuture<GenerationResult> result() {
        return result;
    }

    @Override
    public void cancel() {
        abort(FinishReason.CANCELLED);
    }

    void abort(FinishReason reason) {
        if (abortReason == null && !result.isDone()) {
            abortReason = reason;
            onAbandon.accept(this);
        }
    }

    /** CANCELLED or DEADLINE when the request must stop now, else null. */
    FinishReason stopReason() {
        FinishReason r = abortReason;
        if (r == null && System.nanoTime() - deadlineNanos > 0) {
            abortReason = r = FinishReason.DEADLINE;
        }
        return r;
    }

    boolean hasDeadline() {
        return deadlineNanos != Long.MAX_VALUE;
    }

    /** Completes a request that never reached the decoder. */
    void completeUnstarted(FinishReason reason) {
        releaseMedia();
        Duration waited = Duration.ofNanos(System.nanoTime() - acceptedNanos);
        complete(new GenerationResult(
                "",
                reason,
                new TokenUsage(promptIds.length, imageTokens, audioTokens, 0),
                new Timings(waited, Duration.ZERO, waited, 0),
                List.of()));
    }

    /** Hands preprocessed media buffers back (idempotent). */
    void releaseMedia() {
        if (prepared != null) {
            prepared.close();
        }
    }

    void complete(GenerationResult r) {
        if (result.complete(r)) {
            try {
                listener.onComplete(r);
            } catch (RuntimeException ignored) {
                // The result is already delivered through the future; a failing listener cannot change it.
            }
        }
    }

    void fail(Throwable error) {
        releaseMedia();
        if (result.completeExceptionally(error)) {
            try {
                listener.onError(error);
            } catch (RuntimeException ignored) {
                // as above
            }
        }
    }
}

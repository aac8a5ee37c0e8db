package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Timings;
import dev.phi4ee.core.api.TokenListener;
import dev.phi4ee.core.api.TokenUsage;
import dev.phi4ee.core.generate.constrain.RequestConstraint;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A request accepted by the engine: its prompt ids, options, listener and result future. Cancellation and the
 * deadline are flags the decode loop checks before every step; a request still waiting in the queue is completed at
 * once through {@code onAbandon}. The listener is called on the engine thread; the future is completed on {@code
 * completions}, so a caller's {@code thenApply} never runs on (and never stalls) the decode thread
 * (docs/decisions/runtime-shutdown.md).
 */
final class EngineRequest implements GenerationHandle {
    final int[] promptIds;
    final PreparedPrompt prepared;
    final int imageTokens;
    final int audioTokens;
    final GenerationOptions options;
    final TokenChooser chooser;
    /** Constrained decoding (grammar, banned tokens, tool calls); null when the request has none. */
    final RequestConstraint constraint;

    final TokenListener listener;
    final long acceptedNanos;
    final long deadlineNanos;
    private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
    private final Consumer<EngineRequest> onAbandon;
    private final Executor completions;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final DeadlineClock clock;
    private volatile FinishReason abortReason;

    /** @param clock measures the deadline: the one of the queue that fires it */
    EngineRequest(
            int[] promptIds,
            PreparedPrompt prepared,
            int imageTokens,
            int audioTokens,
            GenerationOptions options,
            TokenChooser chooser,
            RequestConstraint constraint,
            TokenListener listener,
            Consumer<EngineRequest> onAbandon,
            Executor completions,
            DeadlineClock clock) {
        this.promptIds = promptIds;
        this.prepared = prepared;
        this.imageTokens = imageTokens;
        this.audioTokens = audioTokens;
        this.options = options;
        this.chooser = chooser;
        this.constraint = constraint;
        this.listener = listener;
        this.onAbandon = onAbandon;
        this.completions = completions;
        this.clock = clock;
        this.acceptedNanos = System.nanoTime(); // timings stay on the system clock
        Duration t = options.timeout();
        this.deadlineNanos = t == null ? Long.MAX_VALUE : clock.nanoTime() + Math.max(0, t.toNanos());
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
        if (abortReason == null && !finished.get()) {
            abortReason = reason;
            onAbandon.accept(this);
        }
    }

    /** CANCELLED or DEADLINE when the request must stop now, else null. */
    FinishReason stopReason() {
        FinishReason r = abortReason;
        if (r == null && clock.nanoTime() - deadlineNanos > 0) {
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

    /** True once the request has its outcome (its future may still be completing on the executor). */
    boolean finished() {
        return finished.get();
    }

    void complete(GenerationResult r) {
        if (finished.compareAndSet(false, true)) {
            try {
                listener.onComplete(r);
            } catch (RuntimeException ignored) {
                // The result is delivered through the future anyway; a failing listener cannot change it.
            }
            completeFuture(() -> result.complete(r));
        }
    }

    void fail(Throwable error) {
        releaseMedia();
        if (finished.compareAndSet(false, true)) {
            try {
                listener.onError(error);
            } catch (RuntimeException ignored) {
                // as above
            }
            completeFuture(() -> result.completeExceptionally(error));
        }
    }

    private void completeFuture(Runnable completion) {
        try {
            completions.execute(completion);
        } catch (RuntimeException rejected) { // executor already shut down: the outcome must still be delivered
            completion.run();
        }
    }
}

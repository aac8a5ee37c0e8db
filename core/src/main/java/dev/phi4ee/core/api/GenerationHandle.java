package dev.phi4ee.core.api;

import java.util.concurrent.CompletableFuture;

/** A request in flight, returned by {@link Phi4Engine#stream}. */
public interface GenerationHandle {
    /**
     * Completes with the result (or fails with the request's {@link Phi4Exception}) after the listener's {@code
     * onComplete} (or {@code onError}) has returned, on one of the engine's result threads, never on its decode
     * thread.
     */
    CompletableFuture<GenerationResult> result();

    /**
     * Stops the request from any thread, at any time; idempotent, and without effect once it has ended. A running
     * request stops before the next decode step and its cache slot is freed at once; a queued one leaves the queue.
     * Not an error: the result completes normally with {@link FinishReason#CANCELLED} and the text generated so far.
     */
    void cancel();
}

package dev.phi4ee.core.api;

/**
 * Receives a streamed generation ({@link Phi4Engine#stream}).
 *
 * <ul>
 *   <li>{@link #onText} gets complete UTF-8 text only (never half a character), in order, on the engine's decode
 *       thread, which decodes every request of the batch: keep it short and non-blocking, and hand slow work to an
 *       executor of your own. Stop sequences are never streamed.
 *   <li>Exactly one of {@link #onComplete} and {@link #onError} is called, once, after the last {@code onText}.
 *   <li>It returns before the handle's {@link GenerationHandle#result() future} completes: what the listener did is
 *       visible to the stages chained on the future.
 *   <li>It runs on the decode thread too, except for a request that ends while still queued (cancelled, past its
 *       deadline, engine closed): then on the thread that ended it, for {@link GenerationHandle#cancel()} inside that
 *       call.
 * </ul>
 */
public interface TokenListener {
    void onText(String delta);

    /** The request ended normally: STOP, LENGTH, CANCELLED or DEADLINE, with the text generated so far. */
    default void onComplete(GenerationResult result) {}

    /** The request failed after it was accepted (e.g. {@link InferenceException}, the engine closing). */
    default void onError(Throwable error) {}
}

package dev.phi4ee.core.api;

/**
 * Receives a streamed generation. {@link #onText} gets complete UTF-8 text only (never half a character), in order,
 * from the engine's decode thread: keep it short and non-blocking.
 */
public interface TokenListener {
    void onText(String delta);

    default void onComplete(GenerationResult result) {}

    default void onError(Throwable error) {}
}

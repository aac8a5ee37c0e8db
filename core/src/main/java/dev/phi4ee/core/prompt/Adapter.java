package dev.phi4ee.core.prompt;

/**
 * The LoRA adapter active on every decoder run of a request (phi4mm-reference.md §5.2). Requests with different
 * adapters must never share a batched decoder call.
 */
public enum Adapter {
    /** Plain Phi-4-mini: text-only requests. */
    NONE,
    /** {@code phi-4-mm-vision.onnx_adapter}: any request with an image, with or without audio. */
    VISION,
    /** {@code phi-4-mm-speech.onnx_adapter}: requests with audio and no image. */
    SPEECH
}

package dev.phi4ee.core.api;

/**
 * Floating-point element type of a model tensor as the ONNX graph declares it (reference §3: the release's fp16
 * build takes fp16 pixel values, masks and audio features). Preprocessors write their outputs directly in this type.
 */
public enum TensorFloatType {
    FLOAT32,
    FLOAT16
}

package dev.phi4ee.core.api;

/** Floating-point element type a subgraph input declares; preprocessors fill their buffers in this type. */
public enum TensorFloatType {
    FLOAT32,
    FLOAT16
}

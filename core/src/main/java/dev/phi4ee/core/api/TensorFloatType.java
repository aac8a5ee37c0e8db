package dev.phi4ee.core.api;

/** Element type of a floating-point tensor as a graph declares it (the release uses fp16 I/O on GPU, fp32 on CPU). */
public enum TensorFloatType {
    FLOAT32,
    FLOAT16
}

package dev.phi4ee.core.ort;

/** ONNX Runtime refused an operation; the message is the runtime's own, prefixed with what was attempted. */
public class OrtFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OrtFailure(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.phi4ee.core.api;

/** ONNX Runtime failed while running a graph; the cause carries the runtime's own message. */
public class InferenceException extends Phi4Exception {
    private static final long serialVersionUID = 1L;

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.phi4ee.core.api;

/** Base of every exception the engine throws on purpose. */
public class Phi4Exception extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Phi4Exception(String message) {
        super(message);
    }

    public Phi4Exception(String message, Throwable cause) {
        super(message, cause);
    }
}

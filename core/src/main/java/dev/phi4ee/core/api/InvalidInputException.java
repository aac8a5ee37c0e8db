package dev.phi4ee.core.api;

/**
 * The request itself is wrong (corrupt or unsupported media, placeholder mismatch, bad option). Retrying the same
 * request cannot succeed, so integrations must not redeliver it.
 */
public class InvalidInputException extends Phi4Exception {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}

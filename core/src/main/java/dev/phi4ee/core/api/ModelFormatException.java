package dev.phi4ee.core.api;

/**
 * A model directory (or a file in it) does not match the contract. The message names the file, the tensor or
 * field, what was expected and what was found.
 */
public class ModelFormatException extends Phi4Exception {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.phi4ee.core.api;

/** The media bytes are not in a format the engine decodes (or are of the wrong kind, e.g. audio given as image). */
public class UnsupportedMediaException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    public UnsupportedMediaException(String message) {
        super(message);
    }

    public UnsupportedMediaException(String message, Throwable cause) {
        super(message, cause);
    }
}

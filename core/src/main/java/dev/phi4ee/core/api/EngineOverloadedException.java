package dev.phi4ee.core.api;

/** The engine's request queue is full. Unlike {@link InvalidInputException} this is worth retrying later. */
public class EngineOverloadedException extends Phi4Exception {
    private static final long serialVersionUID = 1L;

    public EngineOverloadedException(String message) {
        super(message);
    }
}

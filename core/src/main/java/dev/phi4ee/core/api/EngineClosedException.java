package dev.phi4ee.core.api;

/**
 * The engine was closed: before the request was accepted, while it waited in the queue, or while it ran (its native
 * calls are terminated). Not worth retrying on the same engine instance.
 */
public class EngineClosedException extends Phi4Exception {
    private static final long serialVersionUID = 1L;

    public EngineClosedException(String message) {
        super(message);
    }
}

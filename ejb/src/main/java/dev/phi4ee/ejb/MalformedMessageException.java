package dev.phi4ee.ejb;

import dev.phi4ee.core.api.InvalidInputException;

/** A JMS message that cannot be read as a request (bad JSON, wrong message type, bad property). Never retried. */
public class MalformedMessageException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    public MalformedMessageException(String message) {
        super(message);
    }

    public MalformedMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}

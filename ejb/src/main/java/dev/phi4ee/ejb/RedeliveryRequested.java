package dev.phi4ee.ejb;

import jakarta.ejb.ApplicationException;

/**
 * Thrown by the request listener for a transient failure: the resource adapter then hands the message back to the
 * broker, which redelivers it after the address's redelivery delay (the dead-letter queue after its attempts). An
 * application exception, so the container neither logs it as a system failure nor discards the bean.
 */
@ApplicationException
public class RedeliveryRequested extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RedeliveryRequested(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.phi4ee.camel;

import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.InvalidInputException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.camel.CamelExchangeException;
import org.apache.camel.Exchange;

/**
 * A generation failed; the engine's exception is the cause, so {@code onException(InvalidInputException.class)}
 * matches. {@link #isRetryable()} says whether redelivering the same exchange can succeed.
 */
public class Phi4ExchangeException extends CamelExchangeException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    Phi4ExchangeException(String message, Exchange exchange, Throwable cause, boolean retryable) {
        super(message, exchange, cause);
        this.retryable = retryable;
    }

    /** False for invalid input: the same request fails the same way. */
    public boolean isRetryable() {
        return retryable;
    }

    /**
     * Sets the failure on the exchange. Invalid input is marked redelivery-exhausted, so an error handler with
     * redeliveries configured goes straight to its dead-letter / failure handling instead of retrying.
     */
    static void fail(Exchange exchange, Throwable error) {
        Throwable cause = unwrap(error);
        boolean invalid = cause instanceof InvalidInputException;
        String message = invalid
                ? "phi4: invalid request: " + cause.getMessage()
                : cause instanceof EngineOverloadedException
                        ? "phi4: engine overloaded, retry later: " + cause.getMessage()
                        : "phi4: generation failed: " + cause.getMessage();
        exchange.setException(new Phi4ExchangeException(message, exchange, cause, !invalid));
        if (invalid) {
            exchange.getExchangeExtension().setRedeliveryExhausted(true);
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}

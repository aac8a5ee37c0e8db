package dev.phi4ee.camel;

import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.InvalidInputException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExchangeException;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;

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
     * A {@code retryWhile} predicate for error handlers: redeliver a failed generation at most
     * {@code maxRedeliveries} times, and never when the input itself is invalid. Camel's default error handler does
     * not redeliver at all; use this where redelivery is configured, e.g.
     * {@code errorHandler(defaultErrorHandler().redeliveryDelay(500).retryWhile(Phi4ExchangeException.retryable(5)))}.
     */
    public static Retryable retryable(int maxRedeliveries) {
        return new Retryable(maxRedeliveries);
    }

    /** The predicate of {@link #retryable(int)}; also an {@link Expression}, as {@code retryWhile} takes one. */
    public static final class Retryable implements Predicate, Expression {
        private final int maxRedeliveries;

        private Retryable(int maxRedeliveries) {
            this.maxRedeliveries = maxRedeliveries;
        }

        @Override
        public boolean matches(Exchange exchange) {
            Exception e = exchange.getException();
            if (e == null) {
                e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            }
            int redeliveries = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
            boolean retryable = !(e instanceof Phi4ExchangeException p) || p.isRetryable();
            // Camel counts the redelivery about to happen before it asks.
            return retryable && redeliveries <= maxRedeliveries;
        }

        @Override
        public void init(CamelContext context) {}

        @Override
        public <T> T evaluate(Exchange exchange, Class<T> type) {
            return exchange.getContext().getTypeConverter().convertTo(type, matches(exchange));
        }
    }

    /** Sets the failure on the exchange, with the engine's exception as the cause. */
    static void fail(Exchange exchange, Throwable error) {
        Throwable cause = unwrap(error);
        boolean invalid = cause instanceof InvalidInputException;
        String message = invalid
                ? "phi4: invalid request: " + cause.getMessage()
                : cause instanceof EngineOverloadedException
                        ? "phi4: engine overloaded, retry later: " + cause.getMessage()
                        : "phi4: generation failed: " + cause.getMessage();
        exchange.setException(new Phi4ExchangeException(message, exchange, cause, !invalid));
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}

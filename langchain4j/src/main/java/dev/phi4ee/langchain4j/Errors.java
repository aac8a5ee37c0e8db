package dev.phi4ee.langchain4j;

import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.RateLimitException;
import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Phi4Exception;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Engine failures as LangChain4j's exception types, so retry policies and callers treat them as they treat any
 * provider's: bad input is non-retriable, a full queue is retriable. The engine's typed exception stays the cause.
 */
final class Errors {
    private Errors() {}

    static RuntimeException map(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof InvalidInputException) {
            return new InvalidRequestException(e.getMessage(), e);
        }
        if (e instanceof EngineOverloadedException) {
            return new RateLimitException(e.getMessage(), e);
        }
        if (e instanceof Phi4Exception) {
            return new LangChain4jException(e.getMessage(), e);
        }
        if (e instanceof RuntimeException re) {
            return re;
        }
        return new LangChain4jException(e);
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}

package dev.phi4ee.ejb;

import java.util.concurrent.CompletionException;

/** The parts of the one log line each request gets. */
final class RequestLog {

    private RequestLog() {}

    static String outcome(Phi4Response r) {
        return r.getFinishReason() + ", " + r.getPromptTokens() + " prompt + " + r.getGeneratedTokens() + " new tokens";
    }

    static String describe(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}

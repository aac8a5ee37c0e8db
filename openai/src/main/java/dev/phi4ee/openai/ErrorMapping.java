package dev.phi4ee.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phi4ee.core.api.ContextLengthExceededException;
import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.MediaTooLargeException;
import dev.phi4ee.core.api.Phi4Exception;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Maps what can go wrong to OpenAI's error statuses and types. The engine's typed exceptions decide: invalid input
 * is the caller's fault (400, 413 for media over a limit), a full queue is worth retrying (429 with
 * {@code Retry-After}), anything else is ours (500, with a generic message: internals are not echoed).
 */
public final class ErrorMapping {
    /** Seconds a client is asked to wait after a 429. */
    static final int RETRY_AFTER_SECONDS = 1;

    private ErrorMapping() {}

    public static ApiException map(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof ApiException api) {
            return api;
        }
        if (e instanceof ContextLengthExceededException c) {
            return new ApiException(
                    400,
                    "invalid_request_error",
                    "This model's maximum context length is " + c.maxLength() + " tokens. However, you requested "
                            + ((long) c.promptTokens() + c.maxNewTokens()) + " tokens (" + c.promptTokens()
                            + " in the messages, " + c.maxNewTokens() + " in the completion). Please reduce the"
                            + " length of the messages or completion.",
                    "messages",
                    "context_length_exceeded",
                    null);
        }
        if (e instanceof MediaTooLargeException) {
            return new ApiException(413, "invalid_request_error", e.getMessage(), "messages", "media_too_large", null);
        }
        if (e instanceof InvalidInputException) {
            return new ApiException(400, "invalid_request_error", e.getMessage(), "messages", "invalid_input", null);
        }
        if (e instanceof EngineOverloadedException) {
            return new ApiException(
                    429,
                    "rate_limit_error",
                    "the server is busy: " + e.getMessage() + "; retry later",
                    null,
                    "rate_limit_exceeded",
                    RETRY_AFTER_SECONDS);
        }
        if (e instanceof Phi4Exception) {
            return new ApiException(500, "server_error", "generation failed: " + e.getMessage(), null, null, null);
        }
        return new ApiException(500, "server_error", "internal server error", null, null, null);
    }

    /** The JSON body of an error. */
    public static ObjectNode body(ApiException e) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type());
        error.put("param", e.param());
        error.put("code", e.code());
        return root;
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}

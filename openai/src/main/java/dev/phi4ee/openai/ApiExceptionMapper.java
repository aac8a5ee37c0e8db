package dev.phi4ee.openai;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every failure leaves as an OpenAI error object, including the host's own 404/405/415: a client never sees an HTML
 * page or a stack trace. Server-side failures are logged with their cause; the caller gets a generic message.
 */
public final class ApiExceptionMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiExceptionMapper.class);

    @Override
    public Response toResponse(Throwable error) {
        ApiException api;
        if (error instanceof WebApplicationException w && !(error.getCause() instanceof ApiException)) {
            int status = w.getResponse().getStatus();
            api = new ApiException(
                    status, status >= 500 ? "server_error" : "invalid_request_error", w.getMessage(), null, null, null);
        } else {
            api = ErrorMapping.map(error instanceof WebApplicationException ? error.getCause() : error);
        }
        if (api.status() >= 500 && api.status() != 503) {
            LOG.error("request failed: " + api.getMessage(), error);
        }
        Response.ResponseBuilder response = Response.status(api.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Json.write(ErrorMapping.body(api)));
        if (api.retryAfterSeconds() != null) {
            response.header("Retry-After", api.retryAfterSeconds());
        }
        return response.build();
    }
}

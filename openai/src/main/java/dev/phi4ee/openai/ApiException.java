package dev.phi4ee.openai;

/**
 * An error answered in OpenAI's shape {@code {"error":{"message","type","param","code"}}} with an HTTP status.
 *
 * @see ErrorMapping for how engine exceptions become these
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final Integer retryAfterSeconds;

    public ApiException(int status, String type, String message, String param, String code, Integer retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400 {@code invalid_request_error} naming the offending request field. */
    public static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", message, param, null, null);
    }

    /** 400 for a parameter the protocol has but this server does not implement. */
    public static ApiException unsupported(String param, String message) {
        return new ApiException(400, "invalid_request_error", message, param, "unsupported_parameter", null);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /** Seconds for a {@code Retry-After} header, or null. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}

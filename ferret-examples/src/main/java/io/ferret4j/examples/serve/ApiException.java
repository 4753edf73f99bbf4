package io.ferret4j.examples.serve;

import java.util.OptionalLong;

/**
 * A request the server refuses, with what OpenAI's error object carries: the HTTP status, the error type, the
 * request field at fault ({@code param}, e.g. {@code messages[0].content[1].image_url.url}) and a short code.
 * Its message names the bad field and value; it never carries a stack trace to the client.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final OptionalLong retryAfterSeconds;

    private ApiException(int status, String type, String param, String code, String message,
                         OptionalLong retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400: {@code param} holds a value the API does not accept. */
    public static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "invalid_value", message, OptionalLong.empty());
    }

    /** 413: the body or an image in it exceeds a limit of this server. */
    public static ApiException tooLarge(String param, String message) {
        return new ApiException(413, "invalid_request_error", param, "too_large", message, OptionalLong.empty());
    }

    /** 401: the API key is missing or wrong. */
    public static ApiException unauthorized(String message) {
        return new ApiException(401, "authentication_error", null, "invalid_api_key", message, OptionalLong.empty());
    }

    /** 404: no such route. */
    public static ApiException notFound(String message) {
        return new ApiException(404, "invalid_request_error", null, "not_found", message, OptionalLong.empty());
    }

    /** 503: the model is still loading, or every generation slot and queue place is taken. */
    public static ApiException unavailable(String code, String message, long retryAfterSeconds) {
        return new ApiException(503, "server_error", null, code, message, OptionalLong.of(retryAfterSeconds));
    }

    /** 503 without a retry hint: the request ran out of the server's time limit. */
    public static ApiException timedOut(String message) {
        return new ApiException(503, "server_error", null, "timeout", message, OptionalLong.empty());
    }

    /** An error the HTTP layer detected (an unsupported media type, a body beyond the size limit...). */
    public static ApiException http(int status, String message) {
        String type = status < 500 ? "invalid_request_error" : "server_error";
        return new ApiException(status, type, null, "http_" + status, message, OptionalLong.empty());
    }

    /** 500: a fault of the server, logged there with its stack trace; the client gets only the request id. */
    public static ApiException internal(String requestId) {
        return new ApiException(500, "server_error", null, "internal_error", "internal server error (request "
                + requestId + "); the server log has the details", OptionalLong.empty());
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The error body OpenAI clients read. */
    public ErrorBody body() {
        return new ErrorBody(new ErrorBody.Error(getMessage(), type, param, code));
    }

    /** Seconds after which the client may retry, for a 503. */
    public OptionalLong retryAfterSeconds() {
        return retryAfterSeconds;
    }
}

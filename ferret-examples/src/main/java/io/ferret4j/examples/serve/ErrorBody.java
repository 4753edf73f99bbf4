package io.ferret4j.examples.serve;

import com.fasterxml.jackson.annotation.JsonInclude;

/** OpenAI's error object: {@code {"error": {"message", "type", "param", "code"}}}. */
public record ErrorBody(Error error) {

    /**
     * What went wrong.
     *
     * @param message what is wrong, naming the field and the value
     * @param type    {@code invalid_request_error}, {@code authentication_error} or {@code server_error}
     * @param param   the request field at fault, or {@code null} (written as null, as OpenAI does)
     * @param code    a short machine-readable code
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Error(String message, String type, String param, String code) {
    }
}

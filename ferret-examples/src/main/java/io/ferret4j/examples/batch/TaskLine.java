package io.ferret4j.examples.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One line of a task file, read as JSON but not yet checked as a task.
 *
 * @param number the line's number in the file, from 1
 * @param json   the parsed object, or {@code null} if the line is not JSON
 * @param error  why the line is not JSON, or {@code null}
 */
record TaskLine(int number, JsonNode json, String error) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Parses {@code text}; malformed JSON is kept as the error that its answer line will carry. */
    static TaskLine read(int number, String text) {
        try {
            return new TaskLine(number, JSON.readTree(text), null);
        } catch (JsonProcessingException e) {
            return new TaskLine(number, null, "line " + number + " is not JSON: " + e.getOriginalMessage());
        }
    }

    /** The task's {@code id}, or a JSON null if it has none. */
    JsonNode id() {
        JsonNode id = json == null ? null : json.get("id");
        return id == null ? NullNode.instance : id;
    }

    /** The key the answers file knows this task by. */
    String key() {
        return AnswerFile.key(id(), number);
    }

    /** The answer line for {@code result}: {@code id} (and {@code line} if there is no id), then the result. */
    ObjectNode answerLine(TaskResult result) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("id", id());
        if (id().isNull()) {
            o.put("line", number);
        }
        o.setAll(result.toJson());
        return o;
    }
}

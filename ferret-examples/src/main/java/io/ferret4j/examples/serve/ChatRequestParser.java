package io.ferret4j.examples.serve;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.region.Region;

/**
 * Reads a {@code POST /v1/chat/completions} body into a {@link ChatRequest}, refusing anything it cannot serve
 * with an {@link ApiException} that names the field and the value. Messages alternate user and assistant, start
 * and end with a user message; the conversation carries exactly one image; each {@code <region>} (or literal
 * {@code <region_fea>}) of a user message takes the next region part of the same message.
 */
final class ChatRequestParser {
    private static final Set<String> FIELDS = Set.of("model", "messages", "max_tokens", "max_completion_tokens",
            "temperature", "top_p", "seed", "stop", "stream", "stream_options", "n", "user");
    private static final Pattern SLOT = Pattern.compile("<region>|<region_fea>");

    private final ServeLimits limits;
    private final ImageDecoder images;
    private final RegionParser regions;

    ChatRequestParser(ServeLimits limits) {
        this.limits = limits;
        this.images = new ImageDecoder(limits.maxImagePixels());
        this.regions = new RegionParser(images);
    }

    /**
     * Parses and checks {@code body}.
     *
     * @param contextLength the model's context, which {@code max_tokens} must fit in
     */
    ChatRequest parse(byte[] body, int contextLength) {
        JsonNode root = readTree(body);
        if (!root.isObject()) {
            throw ApiException.invalid(null, "the request body must be a JSON object, got " + Json.shorten(root));
        }
        root.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw ApiException.invalid(f, "unsupported field '" + f + "'; this server reads " + FIELDS);
            }
        });
        JsonNode n = root.get("n");
        if (n != null && !(n.isIntegralNumber() && n.asInt() == 1)) {
            throw ApiException.invalid("n", "n must be 1 (one answer per request), got " + Json.shorten(n));
        }
        List<RawMessage> messages = messages(root.get("messages"));
        int regionCount = messages.stream().mapToInt(m -> m.regions().size()).sum();
        if (regionCount > limits.maxRegions()) {
            throw ApiException.invalid("messages", "the request has " + regionCount + " regions, more than "
                    + limits.maxRegions() + " regions (--max-regions)");
        }
        BufferedImage image = image(messages);
        List<ChatRequest.Turn> history = new ArrayList<>();
        for (int i = 0; i + 1 < messages.size(); i += 2) {
            history.add(new ChatRequest.Turn(question(messages.get(i), image), messages.get(i + 1).text()));
        }
        ChatRequest.Question last = question(messages.get(messages.size() - 1), image);
        return new ChatRequest(JsonFields.optionalText(root, "model"), image, history, last, SamplingParser.parse(root, contextLength),
                JsonFields.bool(root, "stream"), SamplingParser.includeUsage(root));
    }

    private static JsonNode readTree(byte[] body) {
        try {
            JsonNode root = Json.MAPPER.readTree(body);
            if (root == null || root.isMissingNode()) {
                throw ApiException.invalid(null, "the request body is empty; expected a JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "the request body is not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw ApiException.invalid(null, "the request body cannot be read: " + e.getMessage());
        }
    }

    /** A message as sent: its role, its text, and its image and region parts not yet decoded. */
    private record RawMessage(String param, String role, String text, List<Part> images, List<Part> regions) {
    }

    /** A part that needs the image: its field name and JSON. */
    private record Part(String param, JsonNode value) {
    }

    private static List<RawMessage> messages(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw ApiException.invalid("messages", "messages must be a non-empty array of {role, content}, got "
                    + Json.shorten(node));
        }
        List<RawMessage> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            out.add(message(node.get(i), "messages[" + i + "]", i));
        }
        if (out.size() % 2 == 0) {
            throw ApiException.invalid("messages", "the last message must be from the user, got "
                    + out.get(out.size() - 1).role());
        }
        return out;
    }

    private static RawMessage message(JsonNode m, String param, int index) {
        if (m == null || !m.isObject()) {
            throw ApiException.invalid(param, param + " must be an object {role, content}, got " + Json.shorten(m));
        }
        JsonNode role = m.get("role");
        String expected = index % 2 == 0 ? "user" : "assistant";
        if (role == null || !role.isTextual()) {
            throw ApiException.invalid(param + ".role", param + ".role is missing or not a string: " + Json.shorten(role));
        }
        if (role.asText().equals("system")) {
            throw ApiException.invalid(param + ".role", param + ".role 'system' is not supported: Ferret answers with "
                    + "the reference's own system prompt");
        }
        if (!role.asText().equals(expected)) {
            throw ApiException.invalid(param + ".role", param + ".role must be '" + expected + "' (messages alternate "
                    + "user and assistant, starting with user), got '" + role.asText() + "'");
        }
        JsonNode content = m.get("content");
        String at = param + ".content";
        if (content != null && content.isTextual()) {
            return new RawMessage(param, expected, content.asText(), List.of(), List.of());
        }
        if (content == null || !content.isArray() || content.isEmpty()) {
            throw ApiException.invalid(at, at + " must be a string or a non-empty array of parts, got "
                    + Json.shorten(content));
        }
        List<String> texts = new ArrayList<>();
        List<Part> images = new ArrayList<>();
        List<Part> regions = new ArrayList<>();
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String p = at + "[" + j + "]";
            String type = part != null && part.isObject() && part.path("type").isTextual() ? part.get("type").asText() : null;
            if (type == null) {
                throw ApiException.invalid(p, p + " must be an object with a string 'type', got " + Json.shorten(part));
            }
            switch (type) {
                case "text" -> texts.add(JsonFields.text(part.get("text"), p + ".text"));
                case "image_url" -> images.add(new Part(p + ".image_url.url", imageUrl(part.get("image_url"), p)));
                case "region" -> regions.add(new Part(p + ".region", part.get("region")));
                default -> throw ApiException.invalid(p + ".type", p + ".type '" + type
                        + "' is not supported: expected text, image_url or region");
            }
            if (!expected.equals("user") && !type.equals("text")) {
                throw ApiException.invalid(p + ".type", p + ": an assistant message holds only text, got a " + type
                        + " part");
            }
        }
        return new RawMessage(param, expected, String.join("\n", texts), images, regions);
    }

    private static JsonNode imageUrl(JsonNode imageUrl, String part) {
        JsonNode url = imageUrl == null ? null : imageUrl.get("url");
        if (url == null || !url.isTextual()) {
            throw ApiException.invalid(part + ".image_url.url", part + ".image_url must be {\"url\": \"data:...\"}, got "
                    + Json.shorten(imageUrl));
        }
        return url;
    }

    private BufferedImage image(List<RawMessage> messages) {
        List<Part> all = messages.stream().flatMap(m -> m.images().stream()).toList();
        if (all.isEmpty()) {
            throw ApiException.invalid("messages", "the conversation has no image: Ferret answers about one image; "
                    + "send it as a {\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,...\"}} part");
        }
        if (all.size() > 1) {
            throw ApiException.invalid(all.get(1).param(), "the conversation has " + all.size() + " images ("
                    + all.get(0).param() + ", " + all.get(1).param() + "...): Ferret answers about one image per "
                    + "conversation");
        }
        return images.decode(all.get(0).value().asText(), all.get(0).param());
    }

    private ChatRequest.Question question(RawMessage m, BufferedImage image) {
        List<Region> parsed = new ArrayList<>();
        for (Part p : m.regions()) {
            parsed.add(regions.parse(p.value(), p.param(), image));
        }
        Matcher slots = SLOT.matcher(m.text());
        int count = 0;
        while (slots.find()) {
            count++;
        }
        if (count != parsed.size()) {
            throw ApiException.invalid(m.param() + ".content", m.param() + " has " + count + " <region> slot(s) in its "
                    + "text but " + parsed.size() + " region part(s): each <region> takes the next region part");
        }
        if (m.text().isBlank()) {
            throw ApiException.invalid(m.param() + ".content", m.param() + " has no text: ask a question");
        }
        return new ChatRequest.Question(m.text(), parsed);
    }
}

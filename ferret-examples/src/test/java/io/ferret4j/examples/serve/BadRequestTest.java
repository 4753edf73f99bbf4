package io.ferret4j.examples.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.config.ConfigJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad request gets its 4xx with OpenAI's error object naming the field and the problem, never a stack
 * trace, and the server answers normally afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class BadRequestTest {
    private static final String KEY = "sk-bad-request-test";
    private static final String AUTH = "Bearer " + KEY;
    private static final String IMAGE = image(GoldenServer.IMAGE_URL);
    private static final String TEXT = text("What is the location of the white bathtub in the image?");
    private static GoldenServer server;

    @BeforeAll
    static void start() {
        ServeLimits d = ServeLimits.defaults();
        server = GoldenServer.start(new ServeLimits(1, 4, d.timeout(), 2_000_000, 4_000_000, 4), Optional.of(KEY));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> badRequests() {
        String box = region("{\"box\":[10,10,100,100]}");
        return Stream.of(
                bad("malformed JSON", "{\"messages\": [", 400, null, "not valid JSON"),
                bad("a body that is not an object", "[1, 2]", 400, null, "must be a JSON object"),
                bad("an empty body", "", 400, null, "empty"),
                bad("missing messages", "{\"model\":\"ferret\"}", 400, "messages", "messages must be a non-empty array"),
                bad("no messages", "{\"messages\":[]}", 400, "messages", "non-empty array"),
                bad("no image", "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", 400, "messages", "no image"),
                bad("two images", user(IMAGE, IMAGE, TEXT), 400, "messages[0].content[1].image_url.url", "2 images"),
                bad("an http URL", user(image("https://example.com/cat.png"), TEXT), 400,
                        "messages[0].content[0].image_url.url", "never fetches URLs"),
                bad("a file URL", user(image("file:///etc/passwd"), TEXT), 400,
                        "messages[0].content[0].image_url.url", "must be a data URL"),
                bad("bad base64", user(image("data:image/png;base64,@@not*base64@@"), TEXT), 400,
                        "messages[0].content[0].image_url.url", "not valid base64"),
                bad("bytes that are not an image", user(image(dataUrl("text/plain", "hello, world".getBytes(
                        StandardCharsets.UTF_8))), TEXT), 400, "messages[0].content[0].image_url.url",
                        "not a recognised image format"),
                bad("a truncated PNG", user(image(dataUrl("image/png", truncatedPng())), TEXT), 400,
                        "messages[0].content[0].image_url.url", "not a decodable image"),
                bad("a PNG header claiming 30000x30000", user(image(dataUrl("image/png", pngHeader(30000, 30000))), TEXT),
                        400, "messages[0].content[0].image_url.url", "30000x30000 = 900000000 pixels, more than the limit"),
                bad("a box outside the image", user(IMAGE, text("What is <region>?"),
                        region("{\"box\":[10,10,700,100]}")), 400, "messages[0].content[2].region.box", "exceeds image 615×446"),
                bad("a point outside the image", user(IMAGE, text("What is <region>?"), region("{\"point\":[5,446]}")),
                        400, "messages[0].content[2].region.point", "lies outside image 615×446"),
                bad("more <region> than regions", user(IMAGE, text("Is <region> next to <region>?"), box), 400,
                        "messages[0].content", "2 <region> slot(s) in its text but 1 region part(s)"),
                bad("more regions than <region>", user(IMAGE, text("What is <region>?"), box, box), 400,
                        "messages[0].content", "1 <region> slot(s) in its text but 2 region part(s)"),
                bad("a mask of the wrong size", user(IMAGE, text("What is <region>?"), region("{\"mask\":\""
                        + dataUrl("image/png", png(new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB), true)) + "\"}")),
                        400, "messages[0].content[2].region.mask", "is 10×10 but the image is 615×446"),
                bad("an empty mask", user(IMAGE, text("What is <region>?"), region("{\"mask\":\""
                        + dataUrl("image/png", png(new BufferedImage(615, 446, BufferedImage.TYPE_INT_RGB), false))
                        + "\"}")), 400, "messages[0].content[2].region.mask", "no pixel is non-zero"),
                bad("a region of two kinds", user(IMAGE, text("What is <region>?"),
                        region("{\"point\":[1,1],\"box\":[1,1,2,2]}")), 400, "messages[0].content[2].region",
                        "exactly one of point, box, polygon or mask"),
                bad("fractional pixels", user(IMAGE, text("What is <region>?"), region("{\"box\":[1.5,1,20,20]}")), 400,
                        "messages[0].content[2].region.box", "must hold integers"),
                bad("a polygon of two vertices", user(IMAGE, text("What is <region>?"),
                        region("{\"polygon\":[[1,1],[5,5]]}")), 400, "messages[0].content[2].region.polygon",
                        "at least 3 [x, y] vertices"),
                bad("more regions than --max-regions", user(IMAGE, text("<region> <region> <region> <region> <region>?"),
                        box, box, box, box, box), 400, "messages", "5 regions, more than 4 regions (--max-regions)"),
                bad("negative max_tokens", with(user(IMAGE, TEXT), "\"max_tokens\":-5"), 400, "max_tokens",
                        "max_tokens must be an integer from 1 to 2047"),
                bad("max_tokens beyond the context", with(user(IMAGE, TEXT), "\"max_tokens\":5000"), 400, "max_tokens",
                        "the model's context is 2048 tokens"),
                bad("a prompt beyond the context", user(IMAGE, text("hello ".repeat(1500))), 400, "messages",
                        "exceeds the context of 2048 positions"),
                bad("an unknown part type", user(IMAGE, TEXT, "{\"type\":\"input_audio\",\"input_audio\":{}}"), 400,
                        "messages[0].content[2].type", "'input_audio' is not supported"),
                bad("a wrong role", "{\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}", 400, "messages[0].role",
                        "must be 'user'"),
                bad("a system message", "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief\"},"
                        + "{\"role\":\"user\",\"content\":[" + IMAGE + "," + TEXT + "]}]}", 400, "messages[0].role",
                        "'system' is not supported"),
                bad("ending with the assistant", "{\"messages\":[{\"role\":\"user\",\"content\":[" + IMAGE + "," + TEXT
                        + "]},{\"role\":\"assistant\",\"content\":\"A bath.\"}]}", 400, "messages",
                        "the last message must be from the user"),
                bad("an image in an assistant message", "{\"messages\":[{\"role\":\"user\",\"content\":[" + TEXT + "]},"
                        + "{\"role\":\"assistant\",\"content\":[" + IMAGE + "]},{\"role\":\"user\",\"content\":\"And?\"}]}",
                        400, "messages[1].content[0].type", "an assistant message holds only text"),
                bad("temperature out of range", with(user(IMAGE, TEXT), "\"temperature\":3"), 400, "temperature",
                        "temperature must be a number in [0.0, 2.0], got 3"),
                bad("top_p of zero", with(user(IMAGE, TEXT), "\"top_p\":0"), 400, "top_p", "top_p must be a number in (0.0, 1.0]"),
                bad("a non-integer seed", with(user(IMAGE, TEXT), "\"seed\":\"abc\""), 400, "seed", "seed must be an integer"),
                bad("five stop strings", with(user(IMAGE, TEXT), "\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]"), 400, "stop",
                        "at most 4 strings"),
                bad("stream that is not a boolean", with(user(IMAGE, TEXT), "\"stream\":\"yes\""), 400, "stream",
                        "stream must be true or false"),
                bad("an unsupported field", with(user(IMAGE, TEXT), "\"tools\":[]"), 400, "tools", "unsupported field 'tools'"),
                bad("n of two", with(user(IMAGE, TEXT), "\"n\":2"), 400, "n", "n must be 1"),
                bad("a body beyond --max-body-bytes", user(image(dataUrl("image/png", new byte[1_600_000])), TEXT), 413, null,
                        "more than the limit of 2000000 bytes (--max-body-bytes)"));
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void aBadRequestGetsA4xxNamingTheProblem(String what, String body, int status, String param, String message)
            throws IOException {
        HttpResponse<String> r = server.post(body, "Authorization", AUTH, "Content-Type", "application/json");

        assertError(r, status, param, message);
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
    }

    @Order(1)
    @Test
    void aWrongOrMissingApiKeyGets401() throws IOException {
        String body = user(IMAGE, TEXT);
        assertError(server.post(body, "Authorization", "Bearer sk-wrong"), 401, null, "missing or wrong API key");
        assertError(server.post(body, "Authorization", KEY), 401, null, "'Authorization: Bearer <key>'");
        assertError(server.post(body), 401, null, "missing or wrong API key");
        assertThat(server.get("/health").statusCode()).as("health needs no key").isEqualTo(200);
    }

    @Order(1)
    @Test
    void anUnknownRouteGets404() throws IOException {
        assertError(server.get("/v2/completions"), 404, null, "no route for GET /v2/completions");
    }

    @Order(2)
    @Test
    void theServerStillAnswersAfterEveryBadRequest() throws Exception {
        HttpResponse<String> r = server.post(GoldenServer.goldenRequest("refer", false), "Authorization", AUTH);

        assertThat(ConcurrencyTest.content(r)).isEqualTo(GoldenServer.goldenText("refer"));
    }

    private static void assertError(HttpResponse<String> r, int status, String param, String message) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode error = ConfigJson.mapper().readTree(r.body()).get("error");
        assertThat(error.get("message").asText()).contains(message).doesNotContain("\tat ").doesNotContain("Exception:");
        assertThat(error.get("type").asText()).isNotEmpty();
        assertThat(error.get("code").asText()).isNotEmpty();
        assertThat(error.has("param")).isTrue();
        assertThat(error.get("param").isNull() ? null : error.get("param").asText()).isEqualTo(param);
    }

    private static Arguments bad(String what, String body, int status, String param, String message) {
        return Arguments.of(what, body, status, param, message);
    }

    private static String user(String... parts) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":[" + String.join(",", parts) + "]}]}";
    }

    private static String with(String request, String field) {
        return "{" + field + "," + request.substring(1);
    }

    private static String image(String url) {
        return "{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + url + "\"}}";
    }

    private static String text(String text) {
        return "{\"type\":\"text\",\"text\":\"" + text + "\"}";
    }

    private static String region(String region) {
        return "{\"type\":\"region\",\"region\":" + region + "}";
    }

    private static String dataUrl(String type, byte[] bytes) {
        return "data:" + type + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] png(BufferedImage image, boolean paint) {
        if (paint) {
            image.setRGB(1, 1, 0xffffff);
        }
        return Base64.getDecoder().decode(GoldenServer.png(image));
    }

    /** A 200×200 noise PNG cut in half. */
    private static byte[] truncatedPng() {
        BufferedImage noise = new BufferedImage(200, 200, BufferedImage.TYPE_INT_RGB);
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 200; x++) {
                noise.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        byte[] whole = png(noise, false);
        return Arrays.copyOf(whole, whole.length / 2);
    }

    /** The PNG signature and an IHDR chunk claiming {@code width × height} RGB pixels, and nothing else. */
    private static byte[] pngHeader(int width, int height) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
            DataOutputStream chunk = new DataOutputStream(ihdr);
            chunk.writeBytes("IHDR");
            chunk.writeInt(width);
            chunk.writeInt(height);
            chunk.write(new byte[] {8, 2, 0, 0, 0});
            CRC32 crc = new CRC32();
            crc.update(ihdr.toByteArray());
            out.writeInt(13);
            out.write(ihdr.toByteArray());
            out.writeInt((int) crc.getValue());
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

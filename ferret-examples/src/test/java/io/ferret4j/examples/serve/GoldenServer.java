package io.ferret4j.examples.serve;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.BitSet;
import java.util.Optional;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.config.ConfigJson;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.llm.Ferret;
import io.ferret4j.llm.FerretOptions;

/**
 * A server on a free loopback port serving the reference's tiny golden checkpoint as the end-to-end tests run it
 * (12 greedy tokens, deterministic region sampling), with the golden photo and the refer case's mask as data URLs.
 * The model is loaded once and shared: a {@link Ferret} serves many requests at once.
 */
final class GoldenServer implements AutoCloseable {
    static final JsonNode CASES = ConfigJson.tree(Goldens.path("ferret/ferret_meta.json")).get("cases");
    static final String GROUND_QUESTION = "What is the location of the white bathtub in the image?";
    static final String REFER_QUESTION = "Is the object <region> of the image a sink or a mirror?";
    static final String IMAGE_URL = "data:image/jpeg;base64," + base64(Goldens.path("clip/images/bathroom.jpg"));
    static final String REFER_MASK_URL = "data:image/png;base64," + referMaskPng();
    private static final int NEW_TOKENS = 12;
    private static final Ferret FERRET = Ferret.load(Goldens.path("ferret/checkpoint"),
            FerretOptions.defaults().withMaxNewTokens(NEW_TOKENS).withDeterministicSampler(true));
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final FerretServer server;

    private GoldenServer(FerretServer server) {
        this.server = server;
    }

    static GoldenServer start(ServeLimits limits, Optional<String> apiKey) {
        ModelSlot slot = new ModelSlot("ferret-golden-tiny", false);
        slot.ready(FERRET, 2048);
        return new GoldenServer(FerretServer.start(new ServeSettings("127.0.0.1", 0, apiKey, limits), slot));
    }

    /** The model every golden server serves. */
    static Ferret ferret() {
        return FERRET;
    }

    static String goldenText(String name) {
        return CASES.get(name).get("greedy_decoded").asText();
    }

    /** The user message of a golden case: the photo, the question, and for refer the mask region. */
    static String goldenMessages(String name) {
        String parts = "{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + IMAGE_URL + "\"}},";
        if (name.equals("refer")) {
            parts += "{\"type\":\"text\",\"text\":\"" + REFER_QUESTION + "\"},"
                    + "{\"type\":\"region\",\"region\":{\"mask\":\"" + REFER_MASK_URL + "\"}}";
        } else {
            parts += "{\"type\":\"text\",\"text\":\"" + GROUND_QUESTION + "\"}";
        }
        return "[{\"role\":\"user\",\"content\":[" + parts + "]}]";
    }

    static String goldenRequest(String name, boolean stream) {
        return "{\"model\":\"ferret\",\"stream\":" + stream + ",\"messages\":" + goldenMessages(name) + "}";
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    int port() {
        return server.port();
    }

    ServerStats stats() {
        return server.stats();
    }

    HttpResponse<String> post(String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }

    static String base64(Path file) {
        try {
            return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String png(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return Base64.getEncoder().encodeToString(out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The refer case's free-form mask (given as (x, y) pixels of the 615×446 photo), drawn white on black. */
    private static String referMaskPng() {
        int width = CASES.get("refer").get("image_size_WH").get(0).asInt();
        int height = CASES.get("refer").get("image_size_WH").get(1).asInt();
        BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        try (SafeTensors t = SafeTensors.open(Goldens.path("ferret/ferret_goldens.safetensors"))) {
            int[] xy = t.get("refer.region_mask.nonzero").toInts();
            for (int i = 0; i < xy.length; i += 2) {
                mask.getRaster().setSample(xy[i], xy[i + 1], 0, 255);
            }
        }
        return png(mask);
    }
}

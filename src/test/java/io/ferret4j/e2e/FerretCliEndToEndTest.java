package io.ferret4j.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferret4j.core.region.Region;
import io.ferret4j.examples.FerretCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line with {@code --json} against the reference run, for both golden cases. */
final class FerretCliEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void groundPrintsTheReferencePromptIdsAndAnswer() throws IOException {
        JsonNode json = runJson("ground", "--model", FerretGoldens.CHECKPOINT.toString(),
                "--image", FerretGoldens.IMAGE.toString(), "--text", "the white bathtub");

        assertMatches("ground", json);
    }

    @Test
    void askWithAMaskPngPrintsTheReferencePromptIdsAndAnswer() throws IOException {
        Path mask = dir.resolve("mask.png");
        ImageIO.write(maskImage(FerretGoldens.referMask()), "png", mask.toFile());

        JsonNode json = runJson("ask", "--model", FerretGoldens.CHECKPOINT.toString(),
                "--image", FerretGoldens.IMAGE.toString(), "--mask", mask.toString(),
                "--prompt", "Is the object <region> of the image a sink or a mirror?");

        assertMatches("refer", json);
    }

    private JsonNode runJson(String... args) throws IOException {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(new String[] {"--max-new-tokens", "12", "--deterministic", "--json"}, 0, all, args.length, 4);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FerretCli.run(all, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    }

    private static void assertMatches(String name, JsonNode json) {
        JsonNode meta = FerretGoldens.CASES.get(name);
        assertThat(json.get("prompt").asText()).isEqualTo(meta.get("prompt").asText());
        assertThat(json.get("input_ids")).isEqualTo(meta.get("input_ids"));
        assertThat(json.get("output_ids")).isEqualTo(meta.get("greedy_new_ids"));
        assertThat(json.get("text").asText()).isEqualTo(meta.get("greedy_decoded").asText());
        assertThat(json.get("groundings").isArray()).isTrue();
    }

    private static BufferedImage maskImage(Region.Mask mask) {
        BufferedImage img = new BufferedImage(mask.width(), mask.height(), BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < mask.height(); y++) {
            for (int x = 0; x < mask.width(); x++) {
                if (mask.contains(x, y)) {
                    img.getRaster().setSample(x, y, 0, 255);
                }
            }
        }
        return img;
    }
}

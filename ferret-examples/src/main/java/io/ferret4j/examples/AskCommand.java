package io.ferret4j.examples;

import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import io.ferret4j.core.region.Region;
import io.ferret4j.encoder.ImageFiles;
import io.ferret4j.llm.Ferret;
import io.ferret4j.llm.FerretAnswer;
import io.ferret4j.llm.FerretOptions;

/** {@code ferret refer|ground|ask}: one question about one image. */
final class AskCommand {
    static final Set<String> VALUE_OPTIONS = Set.of("--model", "--vision-tower", "--image", "--question", "--text",
            "--prompt", "--max-new-tokens", "--temperature", "--top-p", "--seed", "--annotate", "--dump", "--point",
            "--box", "--mask", "--polygon", "--weights", "--vision-weights", "--vision-precision",
            "--llm-precision", "--kv-cache");
    static final Set<String> FLAGS = Set.of("--deterministic", "--json");

    private AskCommand() {
    }

    static void run(String command, List<String> rawArgs, PrintStream out) {
        CliArgs args = CliArgs.parse(rawArgs, VALUE_OPTIONS, FLAGS);
        Path model = Path.of(args.require("--model"));
        Path imageFile = Path.of(args.require("--image"));
        BufferedImage pixels = ImageFiles.read(imageFile);
        List<Region> regions = RegionArgs.parse(args, pixels.getWidth(), pixels.getHeight());
        String question = question(command, args, regions);
        FerretOptions options = options(args);
        try (Ferret ferret = Ferret.load(model, options)) {
            answer(ferret, ImageFactory.getInstance().fromImage(pixels), question, regions, args, out);
        }
    }

    /** Asks, prints the answer (streamed as text, or one JSON object with {@code --json}) and annotates if asked. */
    static FerretAnswer answer(Ferret ferret, Image image, String question, List<Region> regions, CliArgs args,
                               PrintStream out) {
        boolean json = args.has("--json");
        Consumer<String> stream = json ? t -> { } : t -> {
            out.print(t);
            out.flush();
        };
        FerretAnswer answer = ferret.conversation(image).ask(question, regions, stream,
                args.get("--dump").map(Path::of));
        AnswerOutput.print(answer, json, out);
        args.get("--annotate").map(Path::of).ifPresent(file -> Annotator.write(image, regions, answer, file));
        return answer;
    }

    private static String question(String command, CliArgs args, List<Region> regions) {
        return switch (command) {
            case "refer" -> {
                if (regions.size() != 1) {
                    throw new CliArgs.UsageException("refer needs exactly one region (--point, --box, --mask or "
                            + "--polygon), got " + regions.size());
                }
                yield args.get("--question").orElse(Ferret.DEFAULT_REFER_QUESTION);
            }
            case "ground" -> {
                if (!regions.isEmpty()) {
                    throw new CliArgs.UsageException("ground takes no regions; use ask to combine regions and grounding");
                }
                yield Ferret.groundingQuestion(args.require("--text"));
            }
            default -> args.require("--prompt");
        };
    }

    /** Generation, sampling and weight settings from the common options. */
    static FerretOptions options(CliArgs args) {
        ModelOptions m = new ModelOptions();
        m.maxNewTokens = args.intValue("--max-new-tokens", m.maxNewTokens);
        m.temperature = args.doubleValue("--temperature", m.temperature);
        m.topP = args.doubleValue("--top-p", m.topP);
        m.seed = args.intValue("--seed", (int) m.seed);
        m.deterministic = args.has("--deterministic");
        m.weights = args.get("--weights").orElse(m.weights);
        m.visionWeights = args.get("--vision-weights").orElse(m.visionWeights);
        m.visionPrecision = args.get("--vision-precision").orElse(m.visionPrecision);
        m.llmPrecision = args.get("--llm-precision").orElse(m.llmPrecision);
        m.kvCache = args.get("--kv-cache").orElse(m.kvCache);
        m.visionTower = args.get("--vision-tower").map(Path::of).orElse(null);
        return m.ferretOptions();
    }
}

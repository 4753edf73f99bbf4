package io.ferret4j.examples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.llm.convert.ApplyDelta;
import io.ferret4j.llm.convert.QuantizeQ8;

/**
 * {@code ferret convert --base VICUNA_DIR --delta DELTA_DIR --out DIR [--overwrite]}: apply a Ferret delta;
 * {@code ferret convert --model DIR --quantize q8_0 --out DIR [--overwrite]}: store the LLM matrices as Q8_0.
 */
final class ConvertCommand {
    private ConvertCommand() {
    }

    static void run(List<String> rawArgs, PrintStream out) {
        CliArgs args = CliArgs.parse(rawArgs, Set.of("--base", "--delta", "--out", "--model", "--quantize"),
                Set.of("--overwrite"));
        Path outDir = Path.of(args.require("--out"));
        if (args.has("--quantize")) {
            if (WeightFormat.parse(args.require("--quantize")) != WeightFormat.Q8_0) {
                throw new CliArgs.UsageException("--quantize supports q8_0 only");
            }
            List<Path> files = QuantizeQ8.run(Path.of(args.require("--model")), outDir, args.has("--overwrite"),
                    p -> out.printf("\r%s", p));
            out.println();
            out.println("wrote " + outDir + ": " + files.size() + " weight file(s); load it with --weights q8_0");
            return;
        }
        ApplyDelta.Options options = ApplyDelta.Options.DEFAULTS.withOverwrite(args.has("--overwrite"))
                .withProgress(p -> out.printf("\r%s", p));
        ApplyDelta.Summary s = ApplyDelta.run(Path.of(args.require("--base")), Path.of(args.require("--delta")),
                outDir, options);
        out.println();
        out.println("wrote " + s.folder() + ": " + s.summed() + " tensors summed, " + s.copied() + " copied, "
                + s.skipped().size() + " skipped, " + s.bytes() + " bytes in " + s.files().size() + " file(s)");
    }
}

package io.ferret4j.examples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import io.ferret4j.llm.convert.ApplyDelta;

/** {@code ferret convert --base VICUNA_DIR --delta DELTA_DIR --out DIR [--overwrite]}: apply a Ferret delta. */
final class ConvertCommand {
    private ConvertCommand() {
    }

    static void run(List<String> rawArgs, PrintStream out) {
        CliArgs args = CliArgs.parse(rawArgs, Set.of("--base", "--delta", "--out"), Set.of("--overwrite"));
        Path outDir = Path.of(args.require("--out"));
        ApplyDelta.Options options = ApplyDelta.Options.DEFAULTS.withOverwrite(args.has("--overwrite"))
                .withProgress(p -> out.printf("\r%s", p));
        ApplyDelta.Summary s = ApplyDelta.run(Path.of(args.require("--base")), Path.of(args.require("--delta")),
                outDir, options);
        out.println();
        out.println("wrote " + s.folder() + ": " + s.summed() + " tensors summed, " + s.copied() + " copied, "
                + s.skipped().size() + " skipped, " + s.bytes() + " bytes in " + s.files().size() + " file(s)");
    }
}

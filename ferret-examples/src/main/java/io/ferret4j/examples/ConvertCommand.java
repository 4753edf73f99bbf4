package io.ferret4j.examples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import io.ferret4j.llm.convert.ApplyDelta;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.llm.convert.Quantize;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ferret convert --base VICUNA_DIR --delta DELTA_DIR --out DIR [--overwrite]}: apply a Ferret delta;
 * {@code ferret convert --model DIR --quantize q8_0|q4_0 --out DIR [--overwrite]}: store the LLM matrices as Q8_0 or
 * Q4_0.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Rebuild Ferret from Vicuna v1.3 + the released delta (--base, --delta), or store a "
                + "checkpoint's LLM matrices as Q8_0 or Q4_0 (--model, --quantize q8_0|q4_0).")
final class ConvertCommand implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "DIR", required = true, description = "the folder to write")
    private Path out;

    @Option(names = "--overwrite", description = "replace the files of an existing folder")
    private boolean overwrite;

    @ArgGroup(multiplicity = "1")
    private Source source;

    @ParentCommand
    private FerretCli cli;

    /** One conversion: a delta applied to its base, or a checkpoint quantised. */
    static final class Source {
        @ArgGroup(exclusive = false)
        private Delta delta;

        @ArgGroup(exclusive = false)
        private Quantization quantize;
    }

    /** {@code --base} and {@code --delta}. */
    static final class Delta {
        @Option(names = "--base", paramLabel = "VICUNA_DIR", required = true, description = "Vicuna v1.3 (7B or 13B)")
        private Path base;

        @Option(names = "--delta", paramLabel = "DELTA_DIR", required = true, description = "Apple's Ferret delta")
        private Path delta;
    }

    /** {@code --model} and {@code --quantize}. */
    static final class Quantization {
        @Option(names = "--model", paramLabel = "DIR", required = true, description = "the Ferret checkpoint")
        private Path model;

        @Option(names = "--quantize", paramLabel = "FORMAT", required = true,
                description = "the format to store: ${COMPLETION-CANDIDATES}")
        private QuantizedFormat format;
    }

    /** The formats {@code --quantize} writes. */
    enum QuantizedFormat {
        Q8_0(WeightFormat.Q8_0),
        Q4_0(WeightFormat.Q4_0);

        private final WeightFormat format;

        QuantizedFormat(WeightFormat format) {
            this.format = format;
        }

        @Override
        public String toString() {
            return format.toString();
        }
    }

    @Override
    public Integer call() {
        PrintStream print = cli.out();
        if (source.quantize != null) {
            WeightFormat format = source.quantize.format.format;
            List<Path> files = Quantize.run(source.quantize.model, out, format, overwrite,
                    p -> print.printf("\r%s", p));
            print.println();
            print.println("wrote " + out + ": " + files.size() + " weight file(s); load it with --weights " + format);
            return 0;
        }
        ApplyDelta.Options options = ApplyDelta.Options.DEFAULTS.withOverwrite(overwrite)
                .withProgress(p -> print.printf("\r%s", p));
        ApplyDelta.Summary s = ApplyDelta.run(source.delta.base, source.delta.delta, out, options);
        print.println();
        print.println("wrote " + s.folder() + ": " + s.summed() + " tensors summed, " + s.copied() + " copied, "
                + s.skipped().size() + " skipped, " + s.bytes() + " bytes in " + s.files().size() + " file(s)");
        return 0;
    }
}

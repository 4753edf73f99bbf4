package io.ferret4j.examples.eval;

import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import ai.djl.modality.cv.ImageFactory;
import io.ferret4j.encoder.ImageFiles;
import io.ferret4j.llm.AskOptions;
import io.ferret4j.llm.Ferret;
import io.ferret4j.llm.FerretAnswer;
import io.ferret4j.llm.generate.GenerationConfig;
import io.ferret4j.llm.tokenizer.PythonStrings;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Asks one model every question of a benchmark, in order, and writes each answer's prediction line as soon as it is
 * known (so a partial file is usable), with a progress bar (rate, ETA) on the error stream.
 */
final class EvalRunner {
    private EvalRunner() {
    }

    /**
     * Writes {@code predictions} (JSONL, one line per question) for questions {@code [from, to)}.
     *
     * @param generation the decoding, as the reference's script sets it unless overridden
     */
    static void run(Ferret ferret, EvalBenchmark benchmark, int from, int to, GenerationConfig generation,
                    Path predictions, String task, PrintStream progress) {
        AskOptions ask = AskOptions.defaults().withGeneration(generation);
        try {
            Files.createDirectories(predictions.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folder of " + predictions, e);
        }
        try (BufferedWriter out = Files.newBufferedWriter(predictions, StandardCharsets.UTF_8);
             ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(to - from)
                     .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(progress))
                     .showSpeed().build()) {
            for (int i = from; i < to; i++) {
                EvalSample sample = benchmark.sample(i);
                BufferedImage pixels = ImageFiles.read(sample.image());
                FerretAnswer answer = ferret.ask(ImageFactory.getInstance().fromImage(pixels), sample.question(),
                        sample.regions(), ask);
                String text = PythonStrings.strip(answer.text());
                out.write(EvalJson.line(sample.line().of(text, pixels.getWidth(), pixels.getHeight())));
                out.write('\n');
                out.flush();
                bar.step();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + predictions, e);
        }
    }
}

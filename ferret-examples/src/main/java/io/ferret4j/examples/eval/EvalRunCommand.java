package io.ferret4j.examples.eval;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ferret4j.examples.ModelOptions;
import io.ferret4j.examples.OptionDefaults;
import io.ferret4j.llm.Ferret;
import io.ferret4j.llm.FerretOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ferret eval <benchmark>}: asks the model every question of the benchmark's annotation file as the
 * reference's {@code model_*.py} does (same prompts; sampling at temperature 0.001 with HF's implicit top-k 50, up
 * to 1024 new tokens, unless overridden), writes {@code <out>/predictions/0_of_1.jsonl} in the reference's format,
 * scores it as the reference's scorer does and writes {@code <out>/metric.json}. With {@code --num-chunks N} it runs
 * chunk {@code --chunk-idx} only, into {@code <k>_of_<N>.jsonl}, and leaves scoring to {@code ferret eval score}.
 */
abstract class EvalRunCommand implements Callable<Integer> {
    /** The reference scripts' {@code max_new_tokens}. */
    static final int MAX_NEW_TOKENS = 1024;
    /** The reference scripts' {@code --temperature} default, with {@code do_sample=True}. */
    static final double TEMPERATURE = 0.001;
    /** Hugging Face's default {@code top_k}, which applies when the scripts sample. */
    static final int TOP_K = 50;

    @ParentCommand
    EvalCommand parent;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--annotations", required = true, paramLabel = "A", description = "the benchmark's annotation file")
    Path annotations;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "the benchmark's image folder")
    Path images;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "where predictions/<k>_of_<n>.jsonl and metric.json go")
    Path out;

    @Option(names = "--num-chunks", defaultValue = "1", paramLabel = "N",
            description = "split the questions into N chunks, as the reference's --num-chunks (default: 1)")
    int numChunks;

    @Option(names = "--chunk-idx", defaultValue = "0", paramLabel = "K", description = "the chunk to run (default: 0)")
    int chunkIdx;

    /** The questions. */
    abstract EvalBenchmark benchmark();

    /** Scores the predictions written. */
    abstract ScoreOutcome score(Path predictions);

    @Override
    public Integer call() {
        EvalScoring.existing(annotations, "--annotations");
        EvalScoring.existing(images, "--images");
        EvalBenchmark benchmark = benchmark();
        int[] chunk = chunk(benchmark.size());
        FerretOptions options = model.ferretOptions();
        Path predictions = out.resolve("predictions");
        Path file = predictions.resolve(chunkIdx + "_of_" + numChunks + ".jsonl");
        try (Ferret ferret = Ferret.load(model.model(), options)) {
            EvalRunner.run(ferret, benchmark, chunk[0], chunk[1], options.generation(), file,
                    spec.name(), parent.err());
        }
        if (numChunks > 1) {
            parent.out().println("wrote " + file + "; when every chunk is done, score the folder with "
                    + "ferret eval score " + spec.name() + " --predictions "
                    + predictions + " ...");
            return 0;
        }
        ScoreOutcome outcome = score(predictions);
        EvalJson.writeMetric(out.resolve("metric.json"), outcome.metric(), predictions);
        outcome.referenceLines().forEach(parent.out()::println);
        return 0;
    }

    /**
     * The reference's {@code get_chunk}: chunks of {@code ceil(size / n)} questions; {@code [from, to)} of chunk
     * {@code --chunk-idx} (empty when there are fewer chunks than asked for).
     */
    private int[] chunk(int size) {
        if (numChunks < 1 || chunkIdx < 0 || chunkIdx >= numChunks) {
            throw new IllegalArgumentException("--chunk-idx " + chunkIdx + " must be in [0, --num-chunks " + numChunks
                    + ")");
        }
        int chunkSize = (size + numChunks - 1) / numChunks;
        int from = Math.min(size, chunkIdx * chunkSize);
        return new int[] {from, Math.min(size, from + chunkSize)};
    }

    /** RefCOCO, RefCOCO+, RefCOCOg ({@code model_refcoco.py}, {@code eval_refexp.py}). */
    @Command(name = "refexp", mixinStandardHelpOptions = true, defaultValueProvider = ReferenceDecoding.class,
            description = "RefCOCO/+/g: ground each referring expression; precision at IoU 0.5.")
    static final class Refexp extends EvalRunCommand {
        @Override
        EvalBenchmark benchmark() {
            return new RefexpBenchmark(PredictionFiles.readJson(annotations), images);
        }

        @Override
        ScoreOutcome score(Path predictions) {
            return EvalScoring.refexp(predictions, annotations, parent::warn);
        }
    }

    /** Flickr30k Entities ({@code model_flickr.py}, {@code eval_flickr_entities.py}). */
    @Command(name = "flickr", mixinStandardHelpOptions = true, defaultValueProvider = ReferenceDecoding.class,
            description = "Flickr30k Entities: ground every phrase of each caption; recall at 1, 5, 10.")
    static final class Flickr extends EvalRunCommand {
        @Option(names = "--flickr-entities", required = true, paramLabel = "DIR",
                description = "the Flickr30k Entities folder (Annotations/, Sentences/, test.txt)")
        Path flickrEntities;

        @Override
        EvalBenchmark benchmark() {
            EvalScoring.existing(flickrEntities, "--flickr-entities");
            return new FlickrBenchmark(PredictionFiles.readJson(annotations), images);
        }

        @Override
        ScoreOutcome score(Path predictions) {
            return EvalScoring.flickr(predictions, annotations, flickrEntities, parent::warn);
        }
    }

    /** LVIS referring classification ({@code model_lvis.py}, {@code eval_lvis.py}). */
    @Command(name = "lvis", mixinStandardHelpOptions = true, defaultValueProvider = ReferenceDecoding.class,
            description = "LVIS: name the object at a point, box or free-form region; accuracy.")
    static final class Lvis extends EvalRunCommand {
        @Option(names = "--region-format", defaultValue = "POINT", paramLabel = "point|box|free_shape",
                description = "the region kind (default: point)")
        LvisBenchmark.RegionFormat regionFormat;

        @Override
        EvalBenchmark benchmark() {
            return new LvisBenchmark(PredictionFiles.readJsonl(annotations), images, regionFormat);
        }

        @Override
        ScoreOutcome score(Path predictions) {
            return EvalScoring.lvis(predictions, parent::warn);
        }
    }

    /** POPE ({@code model_pope.py}, {@code eval_pope.py}). */
    @Command(name = "pope", mixinStandardHelpOptions = true, defaultValueProvider = ReferenceDecoding.class,
            description = "POPE: answer yes/no object questions; accuracy, precision, recall, F1, yes ratio.")
    static final class Pope extends EvalRunCommand {
        @Override
        EvalBenchmark benchmark() {
            return new PopeBenchmark(PredictionFiles.readJsonl(annotations), images);
        }

        @Override
        ScoreOutcome score(Path predictions) {
            return EvalScoring.pope(predictions, annotations, parent::warn);
        }
    }

    /** The reference scripts' decoding, the default of every benchmark run. */
    static final class ReferenceDecoding extends OptionDefaults {
        ReferenceDecoding() {
            super(Map.of("--max-new-tokens", Integer.toString(MAX_NEW_TOKENS), "--temperature",
                    Double.toString(TEMPERATURE), "--top-k", Integer.toString(TOP_K)));
        }
    }
}

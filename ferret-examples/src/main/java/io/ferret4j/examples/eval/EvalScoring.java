package io.ferret4j.examples.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The four scorers behind one entry point each, reading predictions and ground truth from disk as the reference's
 * scorers take them ({@code --prediction_file}, {@code --annotation_file}, ...).
 */
final class EvalScoring {
    private static final Pattern CHUNK = Pattern.compile("(\\d+)_of_(\\d+)\\.jsonl");

    private EvalScoring() {
    }

    /** {@code eval_refexp.py}. */
    static ScoreOutcome refexp(Path predictions, Path annotations, Consumer<String> warnings) {
        RefexpScorer.Result r = RefexpScorer.score(PredictionFiles.read(predictions, warnings),
                PredictionFiles.readJson(annotations), warnings);
        return new ScoreOutcome(r.metricJson(), r.referenceLines());
    }

    /** {@code eval_flickr_entities.py}; the subset follows the annotation file's name, as in the reference. */
    static ScoreOutcome flickr(Path predictions, Path annotations, Path flickrEntities, Consumer<String> warnings) {
        warnIfChunksOutOfOrder(PredictionFiles.files(predictions, w -> { }), warnings);
        FlickrEntities entities = FlickrEntities.load(flickrEntities, FlickrScorer.subset(annotations));
        FlickrScorer.Result r = FlickrScorer.score(PredictionFiles.read(predictions, warnings),
                PredictionFiles.readJson(annotations), entities, warnings);
        return new ScoreOutcome(r.metricJson(), r.referenceLines());
    }

    /** {@code eval_lvis.py}. */
    static ScoreOutcome lvis(Path predictions, Consumer<String> warnings) {
        LvisScorer.Result r = LvisScorer.score(PredictionFiles.read(predictions, warnings), warnings);
        return new ScoreOutcome(r.metricJson(), r.referenceLines());
    }

    /** {@code eval_pope.py}. */
    static ScoreOutcome pope(Path predictions, Path annotations, Consumer<String> warnings) {
        warnIfChunksOutOfOrder(PredictionFiles.files(predictions, w -> { }), warnings);
        PopeScorer.Result r = PopeScorer.score(PredictionFiles.read(predictions, warnings),
                PredictionFiles.readJsonl(annotations), warnings);
        return new ScoreOutcome(r.metricJson(), r.referenceLines());
    }

    /**
     * Warns when chunk files ({@code <k>_of_<n>.jsonl}) read in name order, as the reference reads them, are not in
     * chunk order: scorers that pair lines by position then pair them with the wrong ground truth.
     */
    static void warnIfChunksOutOfOrder(List<Path> files, Consumer<String> warnings) {
        List<Path> chunks = files.stream().filter(f -> CHUNK.matcher(f.getFileName().toString()).matches()).toList();
        List<Path> numeric = new ArrayList<>(chunks);
        numeric.sort(Comparator.comparingInt(EvalScoring::chunkIndex));
        if (!numeric.equals(chunks)) {
            warnings.accept("chunk files are read in name order, as the reference reads them: "
                    + chunks.stream().map(f -> f.getFileName().toString()).toList() + "; answers are paired with the"
                    + " annotation by position, so this order pairs them wrongly (use fewer than 10 chunks, or merge"
                    + " them in chunk order into one file)");
        }
    }

    private static int chunkIndex(Path file) {
        Matcher m = CHUNK.matcher(file.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
    }

    /** Whether {@code path} exists, for option checks. */
    static Path existing(Path path, String option) {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(option + " " + path + " does not exist");
        }
        return path;
    }
}

package io.ferret4j.examples.eval;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ferret eval score <benchmark>}: scores an existing prediction file or folder (ours, or one written by the
 * reference's scripts) with the reference scorer's rules, prints the metric lines the reference prints, and writes
 * the metrics as JSON to {@code --out} (never into the predictions folder).
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score predictions exactly as ml-ferret's eval_*.py scorers do.")
final class EvalScoreCommand implements Callable<Integer> {
    @ParentCommand
    EvalCommand parent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(parent.err());
        return 2;
    }

    @Command(name = "refexp", mixinStandardHelpOptions = true,
            description = "RefCOCO/+/g precision (eval_refexp.py): \"refcoco\", \"refcoco+\", \"refcocog\" as sorted "
                    + "lists, and \"by_metric\" naming P@1, mean and upper_bound.")
    int refexp(@Option(names = "--predictions", required = true, paramLabel = "P") Path predictions,
               @Option(names = "--annotations", required = true, paramLabel = "A") Path annotations,
               @Option(names = "--out", required = true, paramLabel = "M") Path out) {
        return write(EvalScoring.refexp(predictions, EvalScoring.existing(annotations, "--annotations"), parent::warn),
                out, predictions);
    }

    @Command(name = "flickr", mixinStandardHelpOptions = true,
            description = "Flickr30k Entities recall (eval_flickr_entities.py): Recall@{1,5,10}_<type> and "
                    + "Upper_bound_<type>.")
    int flickr(@Option(names = "--predictions", required = true, paramLabel = "P") Path predictions,
               @Option(names = "--annotations", required = true, paramLabel = "A") Path annotations,
               @Option(names = "--flickr-entities", required = true, paramLabel = "DIR") Path flickrEntities,
               @Option(names = "--out", required = true, paramLabel = "M") Path out) {
        return write(EvalScoring.flickr(predictions, EvalScoring.existing(annotations, "--annotations"),
                EvalScoring.existing(flickrEntities, "--flickr-entities"), parent::warn), out, predictions);
    }

    @Command(name = "lvis", mixinStandardHelpOptions = true,
            description = "LVIS referring accuracy (eval_lvis.py): accuracy in percent, correct, total.")
    int lvis(@Option(names = "--predictions", required = true, paramLabel = "P") Path predictions,
             @Option(names = "--out", required = true, paramLabel = "M") Path out) {
        return write(EvalScoring.lvis(predictions, parent::warn), out, predictions);
    }

    @Command(name = "pope", mixinStandardHelpOptions = true,
            description = "POPE (eval_pope.py): Accuracy, Precision, Recall, F1 score, Yes ratio.")
    int pope(@Option(names = "--predictions", required = true, paramLabel = "P") Path predictions,
             @Option(names = "--annotations", required = true, paramLabel = "A") Path annotations,
             @Option(names = "--out", required = true, paramLabel = "M") Path out) {
        return write(EvalScoring.pope(predictions, EvalScoring.existing(annotations, "--annotations"), parent::warn),
                out, predictions);
    }

    private int write(ScoreOutcome outcome, Path out, Path predictions) {
        EvalJson.writeMetric(out, outcome.metric(), predictions);
        outcome.referenceLines().forEach(parent.out()::println);
        return 0;
    }
}

package io.ferret4j.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * The {@code spark-submit} job: reads a task file as {@code ferret batch} does ({@code .jsonl}/{@code .json}) or a
 * Parquet table of the same columns, answers every row with {@link FerretTransformer}, and writes the answers as
 * JSON Lines (or Parquet): {@code id} (when the tasks have one) and the answer struct's fields.
 * <pre>
 * spark-submit --class io.ferret4j.spark.FerretSparkJob ferret-spark.jar \
 *     --input /data/tasks.jsonl --output /data/answers --model /models/ferret-7b --weights q8_0
 * </pre>
 * Options other than {@code --input}, {@code --output}, {@code --format} and {@code --partitions} are the model
 * options of {@code ferret batch} ({@code --model DIR --max-new-tokens N --weights q8_0 ...}).
 */
@Command(name = "ferret-spark-job", description = "Answer a table of Ferret refer/ground/ask tasks on Spark.")
public final class FerretSparkJob implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    @Option(names = "--input", required = true, paramLabel = "TASKS",
            description = "tasks: .jsonl/.json read as JSON Lines, anything else as Parquet")
    String input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "answers folder (must not exist)")
    String output;

    @Option(names = "--format", defaultValue = "json", paramLabel = "json|parquet",
            description = "answers format (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--partitions", defaultValue = "0", paramLabel = "N",
            description = "repartition the tasks into N partitions first; 0 = as read (default)")
    int partitions;

    @Option(names = "--image-root", paramLabel = "DIR",
            description = "folder relative image paths start from (default: the task file's folder)")
    String imageRoot;

    @Unmatched
    List<String> modelOptions = new ArrayList<>();

    /** Runs the job with the command-line arguments. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new FerretSparkJob()).execute(args));
    }

    @Override
    public Integer call() {
        SparkSession spark = SparkSession.builder().appName("ferret").getOrCreate();
        Dataset<Row> tasks = input.endsWith(".jsonl") || input.endsWith(".json")
                ? spark.read().json(input) : spark.read().parquet(input);
        if (partitions > 0) {
            tasks = tasks.repartition(partitions);
        }
        Dataset<Row> answers = transformer().transform(tasks);
        List<String> columns = new ArrayList<>();
        if (Arrays.asList(tasks.columns()).contains("id")) {
            columns.add("id");
        }
        columns.add("answer.*");
        answers.selectExpr(columns.toArray(String[]::new)).write().format(format).save(output);
        return 0;
    }

    /** The transformer for these options; the model options go through {@code ferret batch}'s parser. */
    FerretTransformer transformer() {
        int model = modelOptions.indexOf("--model");
        if (model < 0 || model + 1 >= modelOptions.size()) {
            throw new CommandLine.ParameterException(new CommandLine(this), "missing --model DIR");
        }
        List<String> rest = new ArrayList<>(modelOptions);
        rest.subList(model, model + 2).clear();
        String root = imageRoot != null ? imageRoot
                : Path.of(input).toAbsolutePath().getParent().toString();
        return new FerretTransformer().setModelPath(modelOptions.get(model + 1))
                .setModelArgs(rest.toArray(String[]::new)).setImageRoot(root);
    }
}

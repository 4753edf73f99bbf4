package io.ferret4j.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;

import io.ferret4j.examples.ModelOptions;
import io.ferret4j.examples.batch.TaskJson;
import io.ferret4j.examples.batch.TaskKind;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Answers a table of Ferret tasks, one row each, appending an answer struct column ({@code text},
 * {@code output_ids}, {@code groundings}, {@code stop_reason}, or {@code error}; see {@code AnswerRows}). Rows are tasks
 * as {@code ferret batch} reads them: an image path, a task (refer, ground, ask), regions (the task file's JSON
 * array, as text or as the struct array {@code spark.read().json} infers), a prompt, and optionally the per-task
 * generation columns {@code max_new_tokens}, {@code temperature}, {@code top_p}, {@code top_k}, {@code seed}. Each
 * row's answer equals {@code ferret batch}'s for the same task and model options.
 *
 * <p>Each executor JVM loads the model once, on its first row, and shares it among all its tasks
 * ({@link ExecutorModels}); the rows of a partition are answered one after another.
 * <pre>{@code
 * Dataset<Row> answers = new FerretTransformer().setModelPath("/models/ferret-7b")
 *         .setModelArgs("--weights", "q8_0").setMaxNewTokens(64).setImageRoot("/data/photos")
 *         .transform(spark.read().json("tasks.jsonl"));
 * }</pre>
 */
public final class FerretTransformer extends Transformer {
    private static final long serialVersionUID = 1L;
    private static final String REGIONS_JSON = "__ferret_regions_json";

    private final String uid;
    private final Param<String> modelPath;
    private final StringArrayParam modelArgs;
    private final IntParam maxNewTokens;
    private final DoubleParam temperature;
    private final IntParam topK;
    private final DoubleParam topP;
    private final LongParam seed;
    private final BooleanParam deterministic;
    private final Param<String> task;
    private final Param<String> taskColumn;
    private final Param<String> imageColumn;
    private final Param<String> regionColumn;
    private final Param<String> promptColumn;
    private final Param<String> outputColumn;
    private final Param<String> imageRoot;

    /** A transformer with a new uid. */
    public FerretTransformer() {
        this(Identifiable.randomUID("ferret"));
    }

    /** A transformer with the given uid (Spark's copies use this). */
    public FerretTransformer(String uid) {
        this.uid = uid;
        modelPath = new Param<>(this, "modelPath", "the Ferret model folder, readable on every executor");
        modelArgs = new StringArrayParam(this, "modelArgs", "further model options in the command line's form, "
                + "e.g. [--weights, q8_0, --llm-precision, bf16, --vision-tower, DIR]");
        maxNewTokens = new IntParam(this, "maxNewTokens", "answer length limit (--max-new-tokens)");
        temperature = new DoubleParam(this, "temperature", "sampling temperature, 0 = greedy (--temperature)");
        topK = new IntParam(this, "topK", "sample among the K likeliest ids, 0 = no limit (--top-k)");
        topP = new DoubleParam(this, "topP", "nucleus sampling, 1 = no limit (--top-p)");
        seed = new LongParam(this, "seed", "seed of sampling and region point sampling (--seed)");
        deterministic = new BooleanParam(this, "deterministic", "sample region points deterministically");
        task = new Param<>(this, "task", "refer, ground or ask for every row; empty = read taskColumn");
        taskColumn = new Param<>(this, "taskColumn", "column of each row's task, when task is empty");
        imageColumn = new Param<>(this, "imageColumn", "column of image paths");
        regionColumn = new Param<>(this, "regionColumn", "column of regions (optional)");
        promptColumn = new Param<>(this, "promptColumn", "column of prompts (optional)");
        outputColumn = new Param<>(this, "outputColumn", "the answer struct column to add");
        imageRoot = new Param<>(this, "imageRoot", "folder relative image and mask paths start from");
        setDefault(modelArgs, new String[0]);
        setDefault(task, "");
        setDefault(taskColumn, "task");
        setDefault(imageColumn, "image");
        setDefault(regionColumn, "regions");
        setDefault(promptColumn, "prompt");
        setDefault(outputColumn, "answer");
        setDefault(imageRoot, "");
    }

    @Override
    public String uid() {
        return uid;
    }

    /** @see #setModelPath */
    public Param<String> modelPath() {
        return modelPath;
    }

    /** @see #setModelArgs */
    public StringArrayParam modelArgs() {
        return modelArgs;
    }

    /** @see #setMaxNewTokens */
    public IntParam maxNewTokens() {
        return maxNewTokens;
    }

    /** @see #setTemperature */
    public DoubleParam temperature() {
        return temperature;
    }

    /** @see #setTopK */
    public IntParam topK() {
        return topK;
    }

    /** @see #setTopP */
    public DoubleParam topP() {
        return topP;
    }

    /** @see #setSeed */
    public LongParam seed() {
        return seed;
    }

    /** @see #setDeterministic */
    public BooleanParam deterministic() {
        return deterministic;
    }

    /** @see #setTask */
    public Param<String> task() {
        return task;
    }

    /** @see #setTaskColumn */
    public Param<String> taskColumn() {
        return taskColumn;
    }

    /** @see #setImageColumn */
    public Param<String> imageColumn() {
        return imageColumn;
    }

    /** @see #setRegionColumn */
    public Param<String> regionColumn() {
        return regionColumn;
    }

    /** @see #setPromptColumn */
    public Param<String> promptColumn() {
        return promptColumn;
    }

    /** @see #setOutputColumn */
    public Param<String> outputColumn() {
        return outputColumn;
    }

    /** @see #setImageRoot */
    public Param<String> imageRoot() {
        return imageRoot;
    }

    /** The Ferret model folder, at the same path on every executor. */
    public FerretTransformer setModelPath(String value) {
        set(modelPath, value);
        return this;
    }

    /** Model options besides {@code --model} and the generation settings, as {@code ferret batch} takes them. */
    public FerretTransformer setModelArgs(String... value) {
        set(modelArgs, value.clone());
        return this;
    }

    /** The answer length limit; unset = {@code ferret batch}'s default. */
    public FerretTransformer setMaxNewTokens(int value) {
        set(maxNewTokens, value);
        return this;
    }

    /** The sampling temperature; unset = greedy. */
    public FerretTransformer setTemperature(double value) {
        set(temperature, value);
        return this;
    }

    /** Sampling among the {@code value} likeliest ids; unset = no limit. */
    public FerretTransformer setTopK(int value) {
        set(topK, value);
        return this;
    }

    /** Nucleus sampling; unset = no limit. */
    public FerretTransformer setTopP(double value) {
        set(topP, value);
        return this;
    }

    /** The seed of sampling and region point sampling; unset = 0. */
    public FerretTransformer setSeed(long value) {
        set(seed, value);
        return this;
    }

    /** Whether region points are sampled deterministically; unset = as the reference (seeded random). */
    public FerretTransformer setDeterministic(boolean value) {
        set(deterministic, value);
        return this;
    }

    /** {@code refer}, {@code ground} or {@code ask} for every row; empty = each row's {@link #taskColumn}. */
    public FerretTransformer setTask(String value) {
        set(task, value);
        return this;
    }

    /** The column holding each row's task (default {@code task}). */
    public FerretTransformer setTaskColumn(String value) {
        set(taskColumn, value);
        return this;
    }

    /** The column of image paths (default {@code image}). */
    public FerretTransformer setImageColumn(String value) {
        set(imageColumn, value);
        return this;
    }

    /** The column of regions (default {@code regions}; a table without it has no regions). */
    public FerretTransformer setRegionColumn(String value) {
        set(regionColumn, value);
        return this;
    }

    /** The column of prompts (default {@code prompt}; a table without it has no prompts). */
    public FerretTransformer setPromptColumn(String value) {
        set(promptColumn, value);
        return this;
    }

    /** The answer column to add (default {@code answer}). */
    public FerretTransformer setOutputColumn(String value) {
        set(outputColumn, value);
        return this;
    }

    /** The folder relative image and mask paths start from, as the task file's folder for {@code ferret batch}. */
    public FerretTransformer setImageRoot(String value) {
        set(imageRoot, value);
        return this;
    }

    /**
     * The model options in the command line's form: {@code --model}, the generation settings that are set, then
     * {@link #modelArgs}. Parsed by the same options class as {@code ferret batch}, so an option given twice or
     * misspelt is an error.
     */
    public List<String> commandLineModelArgs() {
        if (!isDefined(modelPath)) {
            throw new IllegalArgumentException("FerretTransformer needs modelPath");
        }
        List<String> args = new ArrayList<>(List.of("--model", getOrDefault(modelPath)));
        addIfSet(args, "--max-new-tokens", maxNewTokens);
        addIfSet(args, "--temperature", temperature);
        addIfSet(args, "--top-k", topK);
        addIfSet(args, "--top-p", topP);
        addIfSet(args, "--seed", seed);
        if (isDefined(deterministic) && (Boolean) getOrDefault(deterministic)) {
            args.add("--deterministic");
        }
        args.addAll(Arrays.asList(getOrDefault(modelArgs)));
        return args;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        requireString(schema, getOrDefault(imageColumn));
        String fixedTask = getOrDefault(task);
        if (fixedTask.isEmpty()) {
            requireString(schema, getOrDefault(taskColumn));
        } else {
            TaskKind.parse(fixedTask);
        }
        for (Param<String> optional : List.of(regionColumn, promptColumn)) {
            if (isSet(optional) && !hasColumn(schema, getOrDefault(optional))) {
                throw new IllegalArgumentException(optional.name() + " '" + getOrDefault(optional)
                        + "' is not a column of " + Arrays.toString(schema.fieldNames()));
            }
        }
        if (hasColumn(schema, getOrDefault(promptColumn))) {
            requireString(schema, getOrDefault(promptColumn));
        }
        if (hasColumn(schema, getOrDefault(outputColumn))) {
            throw new IllegalArgumentException("output column '" + getOrDefault(outputColumn) + "' already exists");
        }
        return schema.add(getOrDefault(outputColumn), AnswerRows.SCHEMA, false);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        List<String> args = commandLineModelArgs();
        ModelOptions.parse(args);                              // a bad option fails here, not on every executor
        Dataset<Row> table = dataset.toDF();
        StructType in = table.schema();
        LinkedHashMap<String, Integer> generation = new LinkedHashMap<>();
        for (String field : TaskJson.GENERATION_FIELDS) {
            if (hasColumn(in, field)) {
                generation.put(field, in.fieldIndex(field));
            }
        }
        String fixedTask = getOrDefault(task);
        TaskPartition.Columns columns = new TaskPartition.Columns(
                fixedTask.isEmpty() ? in.fieldIndex(getOrDefault(taskColumn)) : -1,
                in.fieldIndex(getOrDefault(imageColumn)), in.size(), indexOrAbsent(in, getOrDefault(promptColumn)),
                generation);
        return table.withColumn(REGIONS_JSON, regionsJson(table))
                .mapPartitions(new TaskPartition(args, fixedTask.isEmpty() ? null : fixedTask, columns, in.size(),
                        getOrDefault(imageRoot)), Encoders.row(out));
    }

    @Override
    public FerretTransformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** The regions as the task file's JSON text: as given if text, else {@code to_json} of the structs. */
    private Column regionsJson(Dataset<Row> table) {
        String name = getOrDefault(regionColumn);
        if (!hasColumn(table.schema(), name)) {
            return functions.lit(null).cast(DataTypes.StringType);
        }
        Column regions = table.col(name);
        return table.schema().apply(name).dataType().equals(DataTypes.StringType) ? regions : functions.to_json(regions);
    }

    private void addIfSet(List<String> args, String option, Param<?> param) {
        if (isDefined(param)) {
            args.add(option);
            args.add(String.valueOf(getOrDefault(param)));
        }
    }

    private static boolean hasColumn(StructType schema, String name) {
        return Arrays.asList(schema.fieldNames()).contains(name);
    }

    private static int indexOrAbsent(StructType schema, String name) {
        return hasColumn(schema, name) ? schema.fieldIndex(name) : -1;
    }

    private static void requireString(StructType schema, String name) {
        if (!hasColumn(schema, name)) {
            throw new IllegalArgumentException("no column '" + name + "' in " + Arrays.toString(schema.fieldNames()));
        }
        if (!schema.apply(name).dataType().equals(DataTypes.StringType)) {
            throw new IllegalArgumentException("column '" + name + "' must be a string, got "
                    + schema.apply(name).dataType().simpleString());
        }
    }
}

package io.ferret4j.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferret4j.examples.batch.TaskResult;
import io.ferret4j.examples.batch.TaskRunner;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Answers the rows of one partition with this executor's model ({@link ExecutorModels}, loaded on the first row):
 * each row becomes a task in {@code ferret batch}'s JSON form, run by the same {@link TaskRunner}, and comes out
 * with its answer struct appended.
 */
final class TaskPartition implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where each task field is in the row; -1 for a field the table does not have. */
    record Columns(int task, int image, int regionsJson, int prompt, LinkedHashMap<String, Integer> generation)
            implements Serializable {
    }

    private final ArrayList<String> modelArgs;
    private final String task;
    private final Columns columns;
    private final int width;
    private final String imageRoot;

    /**
     * @param modelArgs the model options in the command line's form
     * @param task      the task of every row, or null to read it from {@code columns.task()}
     * @param columns   where the fields are; {@code regionsJson} is an extra last column of regions as JSON text
     * @param width     how many columns the output keeps before the answer (all but the extra one)
     * @param imageRoot the folder relative image and mask paths start from
     */
    TaskPartition(List<String> modelArgs, String task, Columns columns, int width, String imageRoot) {
        this.modelArgs = new ArrayList<>(modelArgs);
        this.task = task;
        this.columns = columns;
        this.width = width;
        this.imageRoot = imageRoot;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (!rows.hasNext()) {
            return Collections.emptyIterator();
        }
        TaskRunner runner = ExecutorModels.runner(modelArgs);
        Path base = Path.of(imageRoot);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Row next() {
                Row row = rows.next();
                Object[] values = new Object[width + 1];
                for (int i = 0; i < width; i++) {
                    values[i] = row.get(i);
                }
                values[width] = AnswerRows.toRow(answer(runner, base, row));
                return RowFactory.create(values);
            }
        };
    }

    private TaskResult answer(TaskRunner runner, Path base, Row row) {
        ObjectNode json;
        try {
            json = taskJson(row);
        } catch (JsonProcessingException e) {
            return TaskResult.failed("regions are not JSON: " + e.getOriginalMessage());
        }
        return runner.run(json, base);
    }

    /** The row as a task line of {@code ferret batch} (see {@code TaskJson}). */
    private ObjectNode taskJson(Row row) throws JsonProcessingException {
        ObjectNode o = JSON.createObjectNode();
        o.put("task", columns.task() < 0 ? task : row.getString(columns.task()));
        o.put("image", row.getString(columns.image()));
        if (!row.isNullAt(columns.regionsJson())) {
            o.set("regions", JSON.readTree(row.getString(columns.regionsJson())));
        }
        if (columns.prompt() >= 0 && !row.isNullAt(columns.prompt())) {
            o.put("prompt", row.getString(columns.prompt()));
        }
        for (Map.Entry<String, Integer> g : columns.generation().entrySet()) {
            if (!row.isNullAt(g.getValue())) {
                o.set(g.getKey(), JSON.valueToTree(row.get(g.getValue())));
            }
        }
        return o;
    }
}

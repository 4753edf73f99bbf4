package io.ferret4j.spark;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferret4j.examples.batch.TaskResult;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A task's result as a Spark struct: the fields of {@code ferret batch}'s answer line that do not depend on the run
 * ({@code text}, {@code output_ids}, {@code groundings}, {@code stop_reason}), or its {@code error}. Built from the same
 * JSON as that line ({@link TaskResult#toJson}), so the two agree field for field.
 */
final class AnswerRows {
    /** {@code phrase}, {@code kind} (box or point), {@code grid} (1000-grid) and {@code pixels}, as in the JSON. */
    static final StructType BOX = new StructType()
            .add("phrase", DataTypes.StringType, false)
            .add("kind", DataTypes.StringType, false)
            .add("grid", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("pixels", DataTypes.createArrayType(DataTypes.IntegerType, false), false);
    /** The answer struct; {@code error} is null for an answer, and every other field is null for an error. */
    static final StructType SCHEMA = new StructType()
            .add("text", DataTypes.StringType, true)
            .add("output_ids", DataTypes.createArrayType(DataTypes.IntegerType, false), true)
            .add("groundings", DataTypes.createArrayType(BOX, false), true)
            .add("stop_reason", DataTypes.StringType, true)
            .add("error", DataTypes.StringType, true);

    private AnswerRows() {
    }

    static Row toRow(TaskResult result) {
        ObjectNode json = result.toJson();
        if (result.error().isPresent()) {
            return RowFactory.create(null, null, null, null, json.get("error").asText());
        }
        List<Row> groundings = new ArrayList<>();
        for (JsonNode b : json.get("groundings")) {
            groundings.add(RowFactory.create(b.get("phrase").asText(), b.get("kind").asText(), ints(b.get("grid")),
                    ints(b.get("pixels"))));
        }
        return RowFactory.create(json.get("text").asText(), ints(json.get("output_ids")), seq(groundings),
                json.get("stop_reason").asText(), null);
    }

    private static Seq<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode v : array) {
            out.add(v.asInt());
        }
        return seq(out);
    }

    /** Rows hold arrays as Scala sequences. */
    private static <T> Seq<T> seq(List<T> list) {
        return CollectionConverters.asScala(list).toSeq();
    }
}

package io.ferret4j.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flickr30k Entities recall on a sentence worked out by hand. */
final class FlickrScorerTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    @BeforeEach
    void writeGroundTruth() {
        EvalFiles.write(dir.resolve("flickr/test.txt"), "7");
        // phrase 1 has two boxes, merged into [0, 0, 200, 200]; phrase 2 has [300, 300, 400, 400]
        EvalFiles.write(dir.resolve("flickr/Annotations/7.xml"), "<annotation><size><width>1000</width>"
                + "<height>1000</height><depth>3</depth></size>"
                + "<object><name>1</name><bndbox><xmin>0</xmin><ymin>0</ymin><xmax>100</xmax><ymax>100</ymax></bndbox></object>"
                + "<object><name>1</name><bndbox><xmin>50</xmin><ymin>50</ymin><xmax>200</xmax><ymax>200</ymax></bndbox></object>"
                + "<object><name>2</name><bndbox><xmin>300</xmin><ymin>300</ymin><xmax>400</xmax><ymax>400</ymax></bndbox></object>"
                + "</annotation>");
        EvalFiles.write(dir.resolve("flickr/Sentences/7.txt"),
                "[/EN#1/people A man] with [/EN#2/animals/other a dog] .", "[/EN#2/animals The dog] sleeps .");
    }

    @Test
    void recallCountsTheFirstKBoxesWhoseEntityReadsLikeThePhrase() {
        Path annotation = annotation(1);
        Path predictions = EvalFiles.write(dir.resolve("p/0_of_1.jsonl"),
                // 1000×1000 image: grid values are pixels. "A man": one box, IoU 1.
                // "a dog": the kept boxes are [300,300,340,400] (IoU 4000/10000 = 0.4) then the exact one (IoU 1);
                // "the cat"'s box is not kept, its entity does not read like "a dog".
                "{\"text\": \"A man [0, 0, 200, 200], the cat [300, 300, 400, 400], a dog [300, 300, 340, 400], "
                        + "a dog [300, 300, 400, 400].\"}");

        ScoreOutcome outcome = EvalScoring.flickr(predictions.getParent(), annotation, dir.resolve("flickr"),
                warnings::add);

        // R@1: "A man" hits, "a dog" misses; R@5, R@10 and the upper bound: both hit
        assertThat(outcome.metric()).isEqualTo(EvalFiles.json("""
                {"Recall@1_all": 0.5, "Recall@1_animals": 0.0, "Recall@1_other": 0.0, "Recall@1_people": 1.0,
                 "Recall@5_all": 1.0, "Recall@5_animals": 1.0, "Recall@5_other": 1.0, "Recall@5_people": 1.0,
                 "Recall@10_all": 1.0, "Recall@10_animals": 1.0, "Recall@10_other": 1.0, "Recall@10_people": 1.0,
                 "Upper_bound_all": 1.0, "Upper_bound_animals": 1.0, "Upper_bound_other": 1.0, "Upper_bound_people": 1.0}
                """));
        assertThat(outcome.referenceLines()).containsExactly("Valid prediction 2/1");
        assertThat(warnings).isEmpty();
    }

    @Test
    void sentencesWithoutAPredictionAreReportedInsteadOfEndingTheRunSilently() {
        Path annotation = annotation(2);
        Path predictions = EvalFiles.write(dir.resolve("p/0_of_1.jsonl"), "{\"text\": \"A man [0, 0, 200, 200].\"}");

        ScoreOutcome outcome = EvalScoring.flickr(predictions.getParent(), annotation, dir.resolve("flickr"),
                warnings::add);

        // only the first sentence is scored: "A man" hits, "a dog" gets the 0-area box and misses
        assertThat(outcome.metric().get("Upper_bound_all").asDouble()).isEqualTo(0.5);
        assertThat(warnings).containsExactly("predictions end after 1 lines but the annotation has 2 sentences: the "
                + "last 1 are not counted (the reference stops there too, and writes no metrics when two or more are "
                + "missing)");
    }

    /** The first {@code sentences} of: "A man with a dog ." (2 phrases), "The dog sleeps ." (1 phrase). */
    private Path annotation(int sentences) {
        String first = "{\"id\": 0, \"file_name\": \"7.jpg\", \"width\": 1000, \"height\": 1000, \"original_img_id\": 7,"
                + " \"sentence_id\": 0, \"caption\": \"A man with a dog .\", \"tokens_positive_eval\": [[[0, 5]], [[11, 16]]]}";
        String second = "{\"id\": 1, \"file_name\": \"7.jpg\", \"width\": 1000, \"height\": 1000, \"original_img_id\": 7,"
                + " \"sentence_id\": 1, \"caption\": \"The dog sleeps .\", \"tokens_positive_eval\": [[[0, 7]]]}";
        return EvalFiles.write(dir.resolve("final_flickr_mergedGT_test.json"),
                "{\"images\": [" + first + (sentences > 1 ? ", " + second : "") + "]}");
    }
}

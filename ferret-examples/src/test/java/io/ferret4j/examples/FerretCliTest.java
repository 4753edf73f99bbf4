package io.ferret4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.plan.KvCacheFormat;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.region.Region;
import io.ferret4j.core.weights.Checkpoints;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.TensorSource;
import io.ferret4j.llm.FerretOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

final class FerretCliTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String stdin, String... args) {
        return FerretCli.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The options {@code ferret ask --model m ARGS} loads with. */
    private static FerretOptions askOptions(String... args) {
        ModelOptions options = new ModelOptions();
        List<String> all = new ArrayList<>(List.of("--model", "m"));
        all.addAll(List.of(args));
        FerretCli.configure(new CommandLine(options)).parseArgs(all.toArray(String[]::new));
        return options.ferretOptions();
    }

    @Test
    void userMistakesGiveOneLineAndAUsageExitCode() {
        assertThat(run("", "frobnicate")).isEqualTo(2);
        assertThat(err()).isEqualTo("ferret: unknown command 'frobnicate' (ferret --help for usage)\n");
    }

    @Test
    void eachCommandPrintsItsGeneratedHelpWithDefaults() {
        assertThat(run("", "ask", "--help")).isZero();
        assertThat(out()).contains("Usage: ferret ask").contains("--prompt=P").contains("--box=X1,Y1,X2,Y2")
                .contains("--weights=FORMAT").contains("(default: f16)").contains("(default: 512)");
        out.reset();
        assertThat(run("", "demo", "--help")).isZero();
        assertThat(out()).contains("(default: 24)").doesNotContain("--model");
        out.reset();
        assertThat(run("", "bench", "--help")).isZero();
        assertThat(out()).contains("(default: 7b)").contains("(default: q8_0)");
        assertThat(run("")).isEqualTo(2);
        assertThat(err()).contains("Usage: ferret").contains("refer").contains("tokenize");
    }

    @Test
    void theCompletionScriptCoversCommandsAndFormatNames() {
        assertThat(run("", "completion")).isZero();

        assertThat(out()).startsWith("#!/usr/bin/env bash").contains("refer").contains("--kv-cache").contains("q8_0");
    }

    @Test
    void missingOptionsAndBadNumbersAreNamed() {
        assertThat(run("", "refer", "--image", "x.jpg")).isEqualTo(2);
        assertThat(err()).contains("Missing required option: '--model=DIR'").doesNotContain("at io.");
        err.reset();
        assertThat(run("", "tokenize", "--text", "a", "--jsonl")).isEqualTo(2);
        assertThat(err()).contains("--text=T, --jsonl are mutually exclusive");
        err.reset();
        assertThat(run("", "demo", "--max-new-tokens", "many")).isEqualTo(2);
        assertThat(err()).startsWith("ferret: Invalid value for option '--max-new-tokens': 'many' is not an int");
    }

    @Test
    void askOptionsReadBothPrecisionsDefaultingToFp32() {
        FerretOptions defaults = askOptions();
        FerretOptions bf16 = askOptions("--llm-precision", "bf16", "--vision-precision", "BF16");

        assertThat(defaults.llmPrecision()).isEqualTo(Precision.FP32);
        assertThat(defaults.visionPrecision()).isEqualTo(Precision.FP32);
        assertThat(bf16.llmPrecision()).isEqualTo(Precision.BF16);
        assertThat(bf16.visionPrecision()).isEqualTo(Precision.BF16);
        assertThatThrownBy(() -> askOptions("--llm-precision", "fp16"))
                .hasMessageContaining("option '--llm-precision'").hasMessageContaining("but was 'fp16'");
    }

    @Test
    void askOptionsDecodeGreedilyUnlessASamplingOptionIsGiven() {
        assertThat(askOptions().generation().temperature()).isZero();
        assertThat(askOptions("--max-new-tokens", "7").generation().maxNewTokens()).isEqualTo(7);

        FerretOptions sampled = askOptions("--temperature", "0.7", "--top-k", "40", "--top-p", "0.9", "--seed", "5");

        assertThat(sampled.generation().temperature()).isEqualTo(0.7);
        assertThat(sampled.generation().topK()).isEqualTo(40);
        assertThat(sampled.generation().topP()).isEqualTo(0.9);
        assertThat(sampled.generation().seed()).isEqualTo(5);
        assertThat(sampled.seed()).isEqualTo(5);
    }

    @Test
    void askOptionsReadTheKeyValueCacheFormatDefaultingToF32() {
        FerretOptions defaults = askOptions();
        FerretOptions f16 = askOptions("--kv-cache", "f16");

        assertThat(defaults.kvCacheFormat()).isEqualTo(KvCacheFormat.F32);
        assertThat(f16.kvCacheFormat()).isEqualTo(KvCacheFormat.F16);
        assertThatThrownBy(() -> askOptions("--kv-cache", "q8_0"))
                .hasMessageContaining("option '--kv-cache'").hasMessageContaining("but was 'q8_0'");
    }

    @Test
    void askOptionsReadTheEngineDefaultingToTheBackends() {
        FerretOptions nd4j = askOptions("--engine", "nd4j", "--weights", "f32");

        assertThat(askOptions().engine()).as("the CPU backend").isEqualTo(Engine.JAVA);
        assertThat(nd4j.plan().llm()).isEqualTo(ExecutionPlan.Part.exact(Engine.ND4J));
        assertThatThrownBy(() -> askOptions("--engine", "cuda"))
                .hasMessageContaining("option '--engine'").hasMessageContaining("but was 'cuda'");
        assertThatThrownBy(() -> askOptions("--engine", "nd4j", "--llm-precision", "bf16").plan())
                .hasMessageContaining("the nd4j engine multiplies in fp32, got bf16 products");
        assertThatThrownBy(() -> askOptions("--engine", "nd4j", "--weights", "q8_0").plan())
                .hasMessageContaining("f32 or f16, got q8_0");
    }

    @Test
    void regionsOfAllKindsKeepTheirCommandLineOrder() {
        RegionOptions options = new RegionOptions();
        FerretCli.configure(new CommandLine(options)).parseArgs("--box", "1,2,30,40", "--point", "5,6",
                "--polygon", "0,0,9,0,9,9", "--box", "7,8,90,100");

        assertThat(options.regions(200, 200)).containsExactly(new Region.Box(1, 2, 30, 40), new Region.Point(5, 6),
                new Region.Polygon(List.of(new Region.Point(0, 0), new Region.Point(9, 0), new Region.Point(9, 9))),
                new Region.Box(7, 8, 90, 100));
        assertThatThrownBy(() -> FerretCli.configure(new CommandLine(new RegionOptions())).parseArgs("--box", "1,2,3"))
                .hasMessage("Invalid value for option '--box' (X1,Y1,X2,Y2): expected 4 comma-separated integers "
                        + "but was '1,2,3'");
    }

    @Test
    void aBenchRequestReachesTheMeasuringJvmIntactWithItsModelOptions() {
        BenchRun.Request request = new BenchRun.Request(Path.of("m"), 2, 16, Path.of("i.png"), Path.of("r.json"),
                List.of("--weights", "q8_0", "--kv-cache", "f16", "--llm-precision", "bf16", "--engine", "java"));

        BenchRun.Request received = BenchRun.Request.fromArgs(request.toArgs().toArray(String[]::new));
        FerretOptions options = BenchRun.options(received.modelFlags());

        assertThat(received).isEqualTo(request);
        assertThat(options.weightFormat()).isEqualTo(WeightFormat.Q8_0);
        assertThat(options.kvCacheFormat()).isEqualTo(KvCacheFormat.F16);
        assertThat(options.engine()).isEqualTo(Engine.JAVA);
        assertThat(options.llmPrecision()).isEqualTo(Precision.BF16);
        assertThat(options.visionWeightFormat()).isEqualTo(WeightFormat.F32);
    }

    @Test
    void benchTakesEitherAFolderToKeepOrOneToReuseAndChecksItFirst() {
        assertThat(run("", "bench", "--model", "tiny", "--keep", "a", "--checkpoint", "b")).isEqualTo(2);
        assertThat(err()).startsWith("ferret: --keep=DIR, --checkpoint=DIR are mutually exclusive");
        err.reset();

        assertThat(run("", "bench", "--model", "tiny", "--weights", "f16", "--checkpoint", dir.toString())).isEqualTo(1);

        assertThat(err()).isEqualTo("ferret: " + dir + " holds no ferret-bench.json: it is not a folder written by "
                + "ferret bench --keep, or that run did not finish\n");
        assertThat(out()).as("refused before measuring").isEmpty();
    }

    @Test
    void convertStoresTheLanguageModelInQ4ZeroForWeightsQ4Zero() {
        Path model = dir.resolve("model");
        Path q4 = dir.resolve("model-q4_0");
        RandomCheckpoint.write(model, new RandomCheckpoint.Shapes(64, 96, 1, 2, 64, 128, 3, 4), DType.F16, 3);

        assertThat(run("", "convert", "--model", model.toString(), "--quantize", "q4_0", "--out", q4.toString()))
                .isZero();

        assertThat(out()).contains("load it with --weights q4_0");
        try (TensorSource s = Checkpoints.open(q4)) {
            RawTensor down = s.get("model.layers.0.mlp.down_proj.weight");
            assertThat(down.dtype()).isEqualTo(DType.U8);
            assertThat(down.shape()).containsExactly(64, 48);
            assertThat(s.get("model.layers.0.mlp.down_proj.weight.q4_0_scales").shape()).containsExactly(64, 3);
            assertThat(s.get("model.norm.weight").dtype()).isEqualTo(DType.F16);
        }
        assertThat(askOptions("--weights", "q4_0").weightFormat()).isEqualTo(WeightFormat.Q4_0);
    }

    @Test
    void aMissingImageIsOneClearLine() {
        assertThat(run("", "ground", "--model", dir.toString(), "--image", dir.resolve("none.jpg").toString(),
                "--text", "a cat")).isEqualTo(1);
        assertThat(err()).startsWith("ferret: ").contains("none.jpg").doesNotContain("\tat ");
        assertThat(err().lines().count()).isEqualTo(1);
    }

    @Test
    void tokenizesTextWithBosAndPieces() throws Exception {
        assertThat(run("", "tokenize", "--text", "\n")).isZero();

        JsonNode o = AnswerOutput.JSON.readTree(out());
        assertThat(o.get("ids").toString()).isEqualTo("[1,29871,13]");
        assertThat(o.get("pieces").toString()).isEqualTo("[\"<s>\",\"▁\",\"<0x0A>\"]");
    }

    @Test
    void tokenizesJsonLinesOneObjectPerLine() throws Exception {
        assertThat(run("\"</s>\"\n\"a <region_fea> b\"\n", "tokenize", "--jsonl")).isZero();

        String[] lines = out().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(AnswerOutput.JSON.readTree(lines[0]).get("ids").toString()).isEqualTo("[1,2]");
        assertThat(AnswerOutput.JSON.readTree(lines[1]).get("ids").toString()).isEqualTo("[1,263,32000,289]");
    }

    @Test
    void rejectsALineThatIsNotAJsonString() {
        assertThat(run("\"ok\"\n{\"a\":1}\n", "tokenize", "--jsonl")).isEqualTo(1);
        assertThat(err()).contains("line 2 is not a JSON string");
    }

    @Test
    void demoRunsReferAndGroundOnRandomWeightsAndSaysSo() {
        Path png = dir.resolve("demo.png");

        assertThat(run("", "demo", "--max-new-tokens", "4", "--annotate", png.toString())).isZero();

        assertThat(out()).contains("RANDOM weights").contains("refer").contains("ground");
        assertThat(png).exists();
        assertThat(png.toFile().length()).isGreaterThan(1000);
    }

    @Test
    void demoWithJsonPrintsTwoAnswerObjects() throws Exception {
        assertThat(run("", "demo", "--max-new-tokens", "3", "--json")).isZero();

        long objects = out().lines().filter(l -> l.startsWith("{")).count();
        assertThat(objects).isEqualTo(2);
        JsonNode first = AnswerOutput.JSON.readTree(out().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
        assertThat(first.get("output_ids")).hasSize(3);
        assertThat(first.get("prompt").asText()).contains("<region_fea>");
        assertThat(Files.list(dir)).isEmpty();
    }
}

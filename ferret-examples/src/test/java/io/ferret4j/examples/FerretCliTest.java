package io.ferret4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.plan.KvCacheFormat;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.llm.FerretOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void userMistakesGiveOneLineAndAUsageExitCode() {
        assertThat(run("", "frobnicate")).isEqualTo(2);
        assertThat(err()).isEqualTo("ferret: unknown command 'frobnicate' (ferret --help for usage)\n");
    }

    @Test
    void missingOptionsAndBadNumbersAreNamed() {
        assertThat(run("", "refer", "--image", "x.jpg")).isEqualTo(2);
        assertThat(err()).contains("missing --model").doesNotContain("at io.");
        err.reset();
        assertThat(run("", "tokenize", "--text", "a", "--jsonl")).isEqualTo(2);
        assertThat(err()).contains("exactly one of --text or --jsonl");
    }

    @Test
    void askOptionsReadBothPrecisionsDefaultingToFp32() {
        Set<String> flags = AskCommand.FLAGS;

        FerretOptions defaults = AskCommand.options(CliArgs.parse(List.of(), AskCommand.VALUE_OPTIONS, flags));
        FerretOptions bf16 = AskCommand.options(CliArgs.parse(List.of("--llm-precision", "bf16",
                "--vision-precision", "BF16"), AskCommand.VALUE_OPTIONS, flags));

        assertThat(defaults.llmPrecision()).isEqualTo(Precision.FP32);
        assertThat(defaults.visionPrecision()).isEqualTo(Precision.FP32);
        assertThat(bf16.llmPrecision()).isEqualTo(Precision.BF16);
        assertThat(bf16.visionPrecision()).isEqualTo(Precision.BF16);
        assertThatThrownBy(() -> AskCommand.options(CliArgs.parse(List.of("--llm-precision", "fp16"),
                AskCommand.VALUE_OPTIONS, flags))).hasMessageContaining("unknown precision 'fp16'");
    }

    @Test
    void askOptionsReadTheKeyValueCacheFormatDefaultingToF32() {
        Set<String> flags = AskCommand.FLAGS;

        FerretOptions defaults = AskCommand.options(CliArgs.parse(List.of(), AskCommand.VALUE_OPTIONS, flags));
        FerretOptions f16 = AskCommand.options(CliArgs.parse(List.of("--kv-cache", "f16"),
                AskCommand.VALUE_OPTIONS, flags));

        assertThat(defaults.kvCacheFormat()).isEqualTo(KvCacheFormat.F32);
        assertThat(f16.kvCacheFormat()).isEqualTo(KvCacheFormat.F16);
        assertThatThrownBy(() -> AskCommand.options(CliArgs.parse(List.of("--kv-cache", "q8_0"),
                AskCommand.VALUE_OPTIONS, flags))).hasMessageContaining("'q8_0'; expected f32 or f16");
    }

    @Test
    void askOptionsReadTheEngineDefaultingToTheBackends() {
        Set<String> flags = AskCommand.FLAGS;

        FerretOptions defaults = AskCommand.options(CliArgs.parse(List.of(), AskCommand.VALUE_OPTIONS, flags));
        FerretOptions nd4j = AskCommand.options(CliArgs.parse(List.of("--engine", "nd4j", "--weights", "f32"),
                AskCommand.VALUE_OPTIONS, flags));

        assertThat(defaults.engine()).as("the CPU backend").isEqualTo(Engine.JAVA);
        assertThat(nd4j.plan().llm()).isEqualTo(ExecutionPlan.Part.exact(Engine.ND4J));
        assertThatThrownBy(() -> AskCommand.options(CliArgs.parse(List.of("--engine", "cuda"),
                AskCommand.VALUE_OPTIONS, flags))).hasMessageContaining("unknown engine 'cuda'; expected java or nd4j");
        assertThatThrownBy(() -> AskCommand.options(CliArgs.parse(List.of("--engine", "nd4j", "--llm-precision",
                "bf16"), AskCommand.VALUE_OPTIONS, flags)).plan())
                .hasMessageContaining("the nd4j engine multiplies in fp32, got bf16 products");
        assertThatThrownBy(() -> AskCommand.options(CliArgs.parse(List.of("--engine", "nd4j", "--weights",
                "q8_0"), AskCommand.VALUE_OPTIONS, flags)).plan()).hasMessageContaining("f32 or f16, got q8_0");
    }

    @Test
    void aBenchRequestReachesTheMeasuringJvmIntactWithItsModelOptions() {
        BenchRun.Request request = new BenchRun.Request(Path.of("m"), 2, 16, Path.of("i.png"), Path.of("r.json"),
                List.of("--weights", "q8_0", "--kv-cache", "f16", "--llm-precision", "bf16"));

        BenchRun.Request received = BenchRun.Request.fromArgs(request.toArgs().toArray(String[]::new));
        FerretOptions options = BenchRun.options(received.modelFlags());

        assertThat(received).isEqualTo(request);
        assertThat(options.weightFormat()).isEqualTo(WeightFormat.Q8_0);
        assertThat(options.kvCacheFormat()).isEqualTo(KvCacheFormat.F16);
        assertThat(options.llmPrecision()).isEqualTo(Precision.BF16);
        assertThat(options.visionWeightFormat()).isEqualTo(WeightFormat.F32);
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

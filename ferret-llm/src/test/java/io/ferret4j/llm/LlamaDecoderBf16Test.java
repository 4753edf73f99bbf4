package io.ferret4j.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

import io.ferret4j.core.dnnl.DnnlSupport;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.Float16;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.SafeTensorsWriter;
import io.ferret4j.core.weights.Weights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link Precision#BF16} on the compact formats, on a random fp16 LLaMA of hidden 128 (2 layers, 4 heads,
 * intermediate 256, vocab 512): prompt-sized products run in bf16, single rows stay on the fp32 kernels.
 */
final class LlamaDecoderBf16Test {
    private static final LlamaConfig CONFIG = new LlamaConfig(128, 256, 2, 4, 4, 1e-6, 256, 512, 1, 2, 0, false,
            "silu", null, 1, 10000.0);
    /** Rows of a prefill: from 32 on, {@code MatMul} takes the batched (here bf16) route. */
    private static final int PROMPT = 48;
    private static final int STEPS = 6;

    @TempDir
    static Path dir;
    private static SafeTensors checkpoint;

    @BeforeAll
    static void writeRandomFp16Llama() {
        Map<String, long[]> shapes = LlamaShapes.of(CONFIG);
        SafeTensorsWriter writer = new SafeTensorsWriter();
        SplittableRandom random = new SplittableRandom(3);
        shapes.forEach((name, shape) -> writer.add(name, DType.F16, shape,
                halves(random, shape, name.endsWith("norm.weight") ? 1 : 0, name.contains("embed") ? 1 : 0.08)));
        Path file = dir.resolve("model.safetensors");
        writer.write(file);
        checkpoint = SafeTensors.open(file);
    }

    @AfterAll
    static void closeCheckpoint() {
        checkpoint.close();
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"F16", "Q8_0"})
    void prefillLogitsInBf16StayCloseToFp32AndGreedyTokensAgree(WeightFormat format) {
        assumeTrue(DnnlSupport.available(), DnnlSupport.status());
        LlamaDecoder fp32 = load(format, Precision.FP32);
        LlamaDecoder bf16 = load(format, Precision.BF16);
        int[] prompt = new SplittableRandom(8).ints(PROMPT, 3, CONFIG.vocabSize()).toArray();
        KvCache fp32Cache = fp32.newCache(PROMPT + STEPS);
        KvCache bf16Cache = bf16.newCache(PROMPT + STEPS);

        INDArray expected = fp32.logits(fp32.forward(prompt, fp32Cache));            // [48, 512]
        INDArray actual = bf16.logits(bf16.forward(prompt, bf16Cache));

        double rms = expected.norm2Number().doubleValue() / Math.sqrt(expected.length());
        double maxDiff = actual.sub(expected).amaxNumber().doubleValue();
        // measured 1.8e-2 (F16) and 2.0e-2 (Q8_0): 48 x 512 logits of rms 0.92, max |diff| 0.017 and 0.019
        assertThat(maxDiff / rms).as("%s: max |logit diff| / logit rms", format).isBetween(1e-4, 0.05);
        int[] fp32Tokens = greedy(fp32, expected, fp32Cache);
        int[] bf16Tokens = greedy(bf16, actual, bf16Cache);
        assertThat(bf16Tokens).as(format.toString()).containsExactly(fp32Tokens);
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"F16", "Q8_0"})
    void fewerThan32RowsGiveTheFp32LogitsBitForBit(WeightFormat format) {
        LlamaDecoder fp32 = load(format, Precision.FP32);
        LlamaDecoder bf16 = load(format, Precision.BF16);
        int[] prompt = {1, 17, 300, 42, 7, 99, 5, 256, 31, 12};
        KvCache fp32Cache = fp32.newCache(prompt.length + STEPS);
        KvCache bf16Cache = bf16.newCache(prompt.length + STEPS);

        INDArray expected = fp32.logits(fp32.forward(prompt, fp32Cache));
        INDArray actual = bf16.logits(bf16.forward(prompt, bf16Cache));

        assertThat(actual.data().asFloat()).as("%s prompt of %d rows", format, prompt.length)
                .containsExactly(expected.data().asFloat());
        assertThat(greedy(bf16, actual, bf16Cache)).containsExactly(greedy(fp32, expected, fp32Cache));
    }

    /** Greedy tokens: the argmax of the last row of {@code logits}, then {@code STEPS - 1} cached decode steps. */
    private static int[] greedy(LlamaDecoder decoder, INDArray logits, KvCache cache) {
        int[] tokens = new int[STEPS];
        INDArray last = logits.getRow(logits.size(0) - 1);
        for (int s = 0; s < STEPS; s++) {
            tokens[s] = last.argMax().getInt(0);
            if (s + 1 < STEPS) {
                last = decoder.logits(decoder.forward(new int[] {tokens[s]}, cache)).getRow(0);
            }
        }
        return tokens;
    }

    private static LlamaDecoder load(WeightFormat format, Precision precision) {
        Weights w = Weights.of(checkpoint);
        LlamaDecoder decoder = LlamaDecoder.load(w, CONFIG, ExecutionPlan.Part.llm(format, precision));
        w.requireAllUsed();
        return decoder;
    }

    /** Little-endian fp16 of {@code base + N(0, std²)} noise. */
    private static ByteBuffer halves(SplittableRandom random, long[] shape, double base, double std) {
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        ByteBuffer b = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putShort(2 * i, Float16.fromFloat((float) (base + random.nextGaussian() * std)));
        }
        return b;
    }
}

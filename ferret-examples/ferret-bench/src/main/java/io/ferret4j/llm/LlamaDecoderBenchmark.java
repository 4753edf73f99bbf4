package io.ferret4j.llm;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

import io.ferret4j.core.nn.Nd4jRuntime;
import io.ferret4j.core.probe.Probe;
import io.ferret4j.core.weights.RandomTensorSource;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Measures batched prefill throughput and per-token decode latency of the fp32 decoder: on the tiny golden model,
 * and on a random 2-layer model of LLaMA-7B width (hidden 4096, intermediate 11008, 32 heads, vocab 32001; about
 * 2.7 GB of fp32 weights). Run it with {@code scripts/bench.sh decoder [tiny|7b]} ({@code tiny} is the default).
 */
public final class LlamaDecoderBenchmark {
    private LlamaDecoderBenchmark() {
    }

    public static void main(String[] args) {
        Nd4jRuntime.configure();
        String which = args.length > 0 ? args[0] : "tiny";
        LlamaDecoder decoder = which.equals("7b") ? randomSevenBWidth(2) : TinyLlama.decoder();
        int prompt = which.equals("7b") ? 128 : 512;
        int steps = which.equals("7b") ? 16 : 128;
        for (int round = 0; round < 3; round++) {                    // the first round warms up
            run(decoder, prompt, steps);
        }
    }

    private static void run(LlamaDecoder decoder, int prompt, int steps) {
        int[] ids = new SplittableRandom(1).ints(prompt, 3, decoder.config().vocabSize()).toArray();
        KvCache cache = decoder.newCache(prompt + steps);
        long t0 = System.nanoTime();
        INDArray hidden = decoder.forward(decoder.embed(ids), cache, Probe.NONE);
        INDArray logits = decoder.logits(hidden.getRow(prompt - 1, true).dup());
        long t1 = System.nanoTime();
        double[] stepMs = new double[steps];
        int next = 5;
        for (int s = 0; s < steps; s++) {
            long a = System.nanoTime();
            logits = decoder.logits(decoder.forward(new int[] {next}, cache));
            stepMs[s] = (System.nanoTime() - a) / 1e6;
            next = 3 + s;
        }
        Arrays.sort(stepMs);
        System.out.printf("prefill %d tokens: %.1f ms = %.0f tokens/s; decode at %d..%d: median %.2f ms/token "
                        + "(min %.2f), logits %d%n", prompt, (t1 - t0) / 1e6, prompt / ((t1 - t0) / 1e9), prompt,
                prompt + steps, stepMs[steps / 2], stepMs[0], logits.length());
    }

    /** A decoder of LLaMA-7B width with {@code layers} layers of random weights (std 0.02, norms 1). */
    static LlamaDecoder randomSevenBWidth(int layers) {
        LlamaConfig config = new LlamaConfig(4096, 11008, layers, 32, 32, 1e-6, 2048, 32001, 1, 2, 0, false,
                "silu", null, 1, 10000.0);
        Map<String, long[]> shapes = LlamaShapes.of(config);
        Weights w = Weights.of(new RandomTensorSource(shapes, 0, "random-llama-7b-width"));
        LlamaDecoder decoder = LlamaDecoder.load(w, config);
        w.requireAllUsed();
        return decoder;
    }
}

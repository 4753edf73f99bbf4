package io.ferret4j.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.ferret4j.core.kernels.Q4_0;
import io.ferret4j.core.kernels.Q8_0;
import io.ferret4j.core.kernels.StoredLayout;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.region.Region;
import io.ferret4j.core.testing.TensorAssert;
import io.ferret4j.core.weights.Checkpoints;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.TensorSource;
import io.ferret4j.examples.RandomCheckpoint;
import io.ferret4j.llm.Ferret;
import io.ferret4j.llm.FerretAnswer;
import io.ferret4j.llm.FerretOptions;
import io.ferret4j.llm.convert.Quantize;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Q8_0, Q4_0 and F16 weights against F32 on the same random-weight Ferret (widths that are multiples of 32, as Q8_0
 * and Q4_0 require and as the real 7B/13B widths are): first-step logits and greedy agreement.
 */
final class QuantizedFerretTest {
    private static final Logger LOG = LoggerFactory.getLogger(QuantizedFerretTest.class);
    private static final RandomCheckpoint.Shapes SHAPES = new RandomCheckpoint.Shapes(256, 704, 4, 4, 64, 128, 3, 4);
    private static final int NEW_TOKENS = 16;

    @TempDir
    static Path dir;
    private static Path model;

    @BeforeAll
    static void writeModel() {
        model = dir.resolve("model");
        RandomCheckpoint.write(model, SHAPES, DType.F16, 7);
    }

    @Test
    void q8ZeroLogitsStayWithinQuantisationErrorOfF32() {
        Run f32 = run(WeightFormat.F32);
        Run q8 = run(WeightFormat.Q8_0);

        Error e = Error.of(f32, q8, "Q8_0");
        assertThat(e.max()).isLessThan(0.1 * e.logitRms());               // measured 0.053 at rms 1.0
        assertThat(e.rms()).isLessThan(0.02 * e.logitRms());              // measured 0.013
        assertThat(q8.answer.outputIds()[0]).isEqualTo(f32.answer.outputIds()[0]);
    }

    /**
     * Q4_0 keeps 4 bits a weight: its logit error is about 14x Q8_0's here, and greedy decoding of random weights, whose
     * logits lie close together, keeps to F32's first token only.
     */
    @Test
    void q4ZeroLogitsStayWithinQuantisationErrorOfF32() {
        Run f32 = run(WeightFormat.F32);
        Run q4 = run(WeightFormat.Q4_0);

        Error e = Error.of(f32, q4, "Q4_0");
        assertThat(e.max()).isLessThan(1.0 * e.logitRms());               // measured 0.75 at rms 1.0
        assertThat(e.rms()).isLessThan(0.25 * e.logitRms());              // measured 0.19
        assertThat(q4.answer.outputIds()[0]).isEqualTo(f32.answer.outputIds()[0]);
    }

    @Test
    void f16WeightsGiveTheF32AnswerUpToSummationOrder() {
        Run f32 = run(WeightFormat.F32);
        Run f16 = run(WeightFormat.F16);

        TensorAssert.assertClose(f32.logits, f16.logits, 1e-4, 1e-4);
        assertThat(f16.answer.outputIds()).containsExactly(f32.answer.outputIds());
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q8_0", "Q4_0"})
    void aQuantisedCheckpointLoadsWithoutRequantisingAndAnswersTheSame(WeightFormat format) {
        Path converted = dir.resolve(format.toString());
        Quantize.run(model, converted, format, false, p -> { });

        StoredLayout layout = format == WeightFormat.Q8_0 ? Q8_0.LAYOUT : Q4_0.LAYOUT;
        try (TensorSource s = Checkpoints.open(converted)) {
            assertThat(s.get("model.layers.0.mlp.up_proj.weight").dtype()).isEqualTo(layout.quantsType());
            assertThat(s.get("model.layers.0.mlp.up_proj.weight" + layout.scalesSuffix()).dtype())
                    .isEqualTo(DType.F16);
            assertThat(s.get("model.mm_projector.weight").dtype()).isEqualTo(DType.F16);
        }
        assertThat(converted.resolve("vision_tower/model.safetensors")).exists();
        assertThat(converted.resolve("tokenizer.model")).exists();
        Run atLoad = run(format);
        Run stored = run(converted, format);

        TensorAssert.assertClose(atLoad.logits, stored.logits, 0, 0);
        assertThat(stored.answer.outputIds()).containsExactly(atLoad.answer.outputIds());
    }

    private record Run(FerretAnswer answer, INDArray logits) {
    }

    /** How far {@code other}'s first-step logits are from F32's: max and rms difference, and F32's own rms. */
    private record Error(double max, double rms, double logitRms) {
        static Error of(Run f32, Run other, String name) {
            double n = Math.sqrt(f32.logits.length());
            Error e = new Error(TensorAssert.maxAbsDiff(f32.logits, other.logits),
                    f32.logits.sub(other.logits).norm2Number().doubleValue() / n,
                    f32.logits.norm2Number().doubleValue() / n);
            LOG.info("{} vs F32: max |logit diff| {}, rms logit diff {} (logit rms {}), greedy prefix agreement {}/{}",
                    name, e.max, e.rms, e.logitRms, prefixAgreement(f32.answer.outputIds(), other.answer.outputIds()),
                    f32.answer.outputIds().length);
            return e;
        }
    }

    private Run run(WeightFormat format) {
        return run(model, format);
    }

    private Run run(Path folder, WeightFormat format) {
        Path dump = dir.resolve(format + ".safetensors");
        try (Ferret ferret = Ferret.load(folder, FerretOptions.defaults().withMaxNewTokens(NEW_TOKENS)
                .withDeterministicSampler(true).withWeightFormat(format))) {
            FerretAnswer a = ferret.conversation(FerretGoldens.image()).ask("What is <region>?",
                    List.<Region>of(new Region.Box(331, 59, 597, 321)), t -> { }, Optional.of(dump));
            try (SafeTensors s = SafeTensors.open(dump)) {
                return new Run(a, s.get("first_step_logits").toFloatArray());
            }
        }
    }

    private static int prefixAgreement(int[] a, int[] b) {
        int n = 0;
        while (n < a.length && n < b.length && a[n] == b[n]) {
            n++;
        }
        return n;
    }
}

package io.ferret4j.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class ExecutionPlanTest {
    @Test
    void theLanguageModelMapsF16AsStoredAndConvertsTheOtherFormats() {
        ExecutionPlan plan = ExecutionPlan.of(Engine.JAVA, WeightFormat.F16, Precision.BF16, WeightFormat.F32,
                Precision.FP32, KvCacheFormat.F16);

        assertThat(plan.llm()).isEqualTo(new ExecutionPlan.Part(WeightFormat.F16, Conversion.NONE, Precision.BF16));
        assertThat(ExecutionPlan.Part.llm(WeightFormat.Q8_0, Precision.FP32).conversion())
                .isEqualTo(Conversion.AT_LOAD);
        assertThat(ExecutionPlan.Part.llm(WeightFormat.Q4_0, Precision.BF16).conversion())
                .isEqualTo(Conversion.AT_LOAD);
        assertThat(ExecutionPlan.Part.llm(WeightFormat.F32, Precision.FP32)).isEqualTo(ExecutionPlan.Part.EXACT);
        assertThat(plan.samplerAndProjector()).isEqualTo(ExecutionPlan.Part.EXACT);
        assertThat(plan.kvCache()).isEqualTo(KvCacheFormat.F16);
    }

    @Test
    void theVisionTowerRoundsF16AtLoadAndPacksBf16FromF32() {
        assertThat(ExecutionPlan.Part.visionTower(WeightFormat.F16, Precision.FP32))
                .isEqualTo(new ExecutionPlan.Part(WeightFormat.F16, Conversion.AT_LOAD, Precision.FP32));
        assertThat(ExecutionPlan.Part.visionTower(WeightFormat.F16, Precision.BF16))
                .isEqualTo(new ExecutionPlan.Part(WeightFormat.F32, Conversion.AT_LOAD, Precision.BF16));
    }

    @Test
    void theNd4jEngineRunsEveryPartAndHoldsF32OrF16() {
        ExecutionPlan plan = ExecutionPlan.of(Engine.ND4J, WeightFormat.F16, Precision.FP32, WeightFormat.F16,
                Precision.FP32, KvCacheFormat.F16);

        assertThat(plan.llm()).isEqualTo(new ExecutionPlan.Part(WeightFormat.F16, Conversion.NONE, Precision.FP32,
                Engine.ND4J));
        assertThat(plan.visionTower().engine()).isEqualTo(Engine.ND4J);
        assertThat(plan.samplerAndProjector()).isEqualTo(ExecutionPlan.Part.exact(Engine.ND4J));
    }

    @Test
    void refusesEachImpossibleCombinationNamingIt() {
        assertThatThrownBy(() -> ExecutionPlan.of(Engine.JAVA, WeightFormat.F16, Precision.FP32, WeightFormat.Q8_0,
                Precision.FP32, KvCacheFormat.F32)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vision tower").hasMessageContaining("f32 or f16, got q8_0");
        assertThatThrownBy(() -> ExecutionPlan.of(Engine.ND4J, WeightFormat.Q8_0, Precision.FP32, WeightFormat.F32,
                Precision.FP32, KvCacheFormat.F32)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the nd4j engine holds weights as f32 or f16, got q8_0");
        assertThatThrownBy(() -> ExecutionPlan.Part.visionTower(WeightFormat.Q4_0, Precision.FP32))
                .hasMessageContaining("vision tower holds its weights as f32 or f16, got q4_0");
        assertThatThrownBy(() -> ExecutionPlan.Part.llm(Engine.ND4J, WeightFormat.Q4_0, Precision.FP32))
                .hasMessageContaining("the nd4j engine holds weights as f32 or f16, got q4_0");
        assertThatThrownBy(() -> ExecutionPlan.of(Engine.ND4J, WeightFormat.F16, Precision.BF16, WeightFormat.F32,
                Precision.FP32, KvCacheFormat.F32)).hasMessageContaining("the nd4j engine multiplies in fp32");
        assertThatThrownBy(() -> new ExecutionPlan(Engine.ND4J, ExecutionPlan.Part.EXACT,
                ExecutionPlan.Part.exact(Engine.ND4J), ExecutionPlan.Part.exact(Engine.ND4J), KvCacheFormat.F32))
                .hasMessageContaining("every part runs on the plan's engine nd4j");
        assertThatThrownBy(() -> new ExecutionPlan.Part(WeightFormat.F32, Conversion.NONE, Precision.FP32))
                .hasMessageContaining("f32 weights are always a widened copy");
        ExecutionPlan.Part bf16 = ExecutionPlan.Part.llm(WeightFormat.F32, Precision.BF16);
        assertThatThrownBy(() -> new ExecutionPlan(Engine.JAVA, ExecutionPlan.Part.EXACT, bf16,
                ExecutionPlan.Part.EXACT, KvCacheFormat.F32)).hasMessageContaining("region sampler and projector");
    }

    @Test
    void parsesEveryEnumInAnyCaseAndListsTheValidNames() {
        assertThat(WeightFormat.parse("Q8_0")).isEqualTo(WeightFormat.Q8_0);
        assertThat(WeightFormat.parse("q4_0")).isEqualTo(WeightFormat.Q4_0);
        assertThat(KvCacheFormat.parse("f16")).isEqualTo(KvCacheFormat.F16);
        assertThat(Engine.parse("ND4J")).isEqualTo(Engine.ND4J);
        assertThatThrownBy(() -> KvCacheFormat.parse("q8_0")).hasMessage(
                "unknown key/value cache format 'q8_0'; expected f32 or f16");
        assertThatThrownBy(() -> WeightFormat.parse("bf16")).hasMessage(
                "unknown weight format 'bf16'; expected f32, f16, q8_0 or q4_0");
    }

    @Test
    void describesEachPartInOneLine() {
        assertThat(ExecutionPlan.of(Engine.JAVA, WeightFormat.F16, Precision.BF16, WeightFormat.F32, Precision.FP32,
                KvCacheFormat.F32).toString()).isEqualTo("engine java; vision tower f32 weights, fp32 products; "
                + "sampler and projector f32 weights, fp32 products; language model f16 weights (as stored), bf16 "
                + "products; key/value cache f32");
    }
}

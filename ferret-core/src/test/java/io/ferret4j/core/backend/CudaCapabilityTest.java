package io.ferret4j.core.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import io.ferret4j.core.backend.CudaCapability.Gpu;
import io.ferret4j.core.backend.CudaCapability.Sm;
import io.ferret4j.core.plan.Engine;
import org.junit.jupiter.api.Test;

/** The decision on injected capabilities, as nvidia-smi would report them: no GPU needed. */
final class CudaCapabilityTest {
    private static final String TWO_GPUS = "0, NVIDIA H100 80GB HBM3, 9.0\n1, NVIDIA A100-SXM4-40GB, 8.0\n";

    @Test
    void acceptsSm37ToSm86AndTheLaterMinorsOfMajor8ThatRunItsCode() {
        for (String sm : List.of("3.7", "5.2", "6.1", "7.0", "7.5", "8.0", "8.6", "8.9")) {
            assertThatCode(() -> CudaCapability.check(List.of(new Gpu(0, "gpu", Sm.parse(sm))))).as(sm)
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void refusesLaterAndEarlierGpusNamingTheCapabilityAndTheRange() {
        List<Gpu> h100 = CudaCapability.parse(TWO_GPUS).subList(0, 1);
        assertThatThrownBy(() -> CudaCapability.check(h100)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("GPU 0 (NVIDIA H100 80GB HBM3) has compute capability 9.0 (sm_90)")
                .hasMessageContaining("sm_37 to sm_86").hasMessageContaining("no kernel image is available");
        assertThatThrownBy(() -> CudaCapability.check(List.of(new Gpu(0, "B200", Sm.parse("10.0")))))
                .hasMessageContaining("(sm_100)");
        assertThatThrownBy(() -> CudaCapability.check(List.of(new Gpu(0, "K20", Sm.parse("3.5")))))
                .hasMessageContaining("(sm_35)");
        assertThatThrownBy(() -> CudaCapability.check(List.of())).hasMessageContaining("no NVIDIA GPU is visible");
    }

    @Test
    void checksOnlyTheGpusCudaVisibleDevicesSelects() {
        List<Gpu> gpus = CudaCapability.parse(TWO_GPUS);
        assertThat(gpus).containsExactly(new Gpu(0, "NVIDIA H100 80GB HBM3", new Sm(9, 0)),
                new Gpu(1, "NVIDIA A100-SXM4-40GB", new Sm(8, 0)));

        assertThatCode(() -> CudaCapability.check(CudaCapability.visible(gpus, "1"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> CudaCapability.check(CudaCapability.visible(gpus, "0,1")))
                .hasMessageContaining("sm_90");
        assertThat(CudaCapability.visible(gpus, null)).isEqualTo(gpus);
        assertThat(CudaCapability.visible(gpus, "GPU-5f3c")).isEqualTo(gpus);
    }

    @Test
    void refusesOutputItCannotRead() {
        assertThatThrownBy(() -> CudaCapability.parse("0, A100\n")).hasMessageContaining("index, name, compute_cap");
        assertThatThrownBy(() -> Sm.parse("[N/A]")).hasMessageContaining("got '[N/A]'");
    }

    @Test
    void theCpuBuildHasNoCudaBackendAndDefaultsToTheJavaEngine() {
        assertThat(Nd4jBackend.isCuda()).isFalse();
        assertThat(Nd4jBackend.defaultEngine()).isEqualTo(Engine.JAVA);
        assertThatCode(CudaCapability::checkVisibleGpus).doesNotThrowAnyException();
    }
}

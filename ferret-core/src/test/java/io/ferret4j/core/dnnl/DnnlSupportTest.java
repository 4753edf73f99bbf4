package io.ferret4j.core.dnnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

final class DnnlSupportTest {

    @AfterEach
    void switchBackOn() {
        System.clearProperty(DnnlSupport.SWITCH_PROPERTY);
    }

    @Test
    void isAvailableWithABf16IsaWhereTheCpuAdvertisesBf16() {
        assumeTrue(DnnlSupport.cpuSupportsBf16(), "this CPU has neither avx512_bf16 nor amx_bf16");

        assertThat(DnnlSupport.available()).as(DnnlSupport.status()).isTrue();
        assertThat(DnnlSupport.status()).matches("oneDNN 2\\.5\\.\\d+, isa avx512_core_(bf16|amx)");
    }

    @Test
    void switchOffPropertyDisablesThePathAndSaysSo() {
        System.setProperty(DnnlSupport.SWITCH_PROPERTY, "off");

        assertThat(DnnlSupport.available()).isFalse();
        assertThat(DnnlSupport.status()).contains("ferret4j.dnnl");
        assertThatThrownBy(() -> new DnnlBf16Matmul(Nd4j.ones(DataType.FLOAT, 2, 2), null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("switched off");
    }

    @Test
    void oneDnnAndNd4jShareOneOpenMpRuntime() throws IOException {
        assumeTrue(DnnlSupport.available(), DnnlSupport.status());
        new DnnlBf16Matmul(Nd4j.ones(DataType.FLOAT, 2, 2), null).forward(Nd4j.ones(DataType.FLOAT, 1, 2));
        Nd4j.ones(DataType.FLOAT, 64, 64).mmul(Nd4j.ones(DataType.FLOAT, 64, 64));

        Set<String> libgomp = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.endsWith("/libgomp.so.1"))
                .map(line -> line.substring(line.indexOf('/')))
                .collect(Collectors.toSet());

        assertThat(libgomp).as("the OpenMP team size set around oneDNN calls must reach oneDNN").hasSize(1);
    }
}

package io.ferret4j.core.dnnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import io.ferret4j.core.nn.DenseLinear;
import io.ferret4j.core.testing.Bf16Bound;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

final class DnnlBf16MatmulTest {
    /** CLIP ViT-L MLP fc1: hidden 1024 -> intermediate 4096. */
    private static final int IN = 1024;
    private static final int OUT = 4096;

    private static INDArray weight;                                    // [OUT, IN], ~N(0, 0.02) like trained layers
    private static INDArray bias;                                      // [OUT]
    private static DnnlBf16Matmul layer;

    @BeforeAll
    static void packClipFc1() {
        assumeTrue(DnnlSupport.cpuSupportsBf16(), "this CPU has neither avx512_bf16 nor amx_bf16: nothing to test");
        assertThat(DnnlSupport.available()).as("bf16 CPU but %s", DnnlSupport.status()).isTrue();
        Nd4j.getRandom().setSeed(7);
        weight = Nd4j.randn(DataType.FLOAT, OUT, IN).muli(0.02);
        bias = Nd4j.randn(DataType.FLOAT, OUT).muli(0.1);
        layer = new DnnlBf16Matmul(weight, bias);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 577})
    void staysWithinBf16RoundingOfFp32ForAnyRowCount(int n) {
        INDArray x = Nd4j.randn(DataType.FLOAT, n, IN);

        INDArray actual = layer.forward(x);

        INDArray expected = new DenseLinear(weight, bias).forward(x);
        Bf16Bound.assertWithin(x, weight, expected, actual);
        assertThat(Bf16Bound.relativeError(expected, actual))
                .as("relative Frobenius error: typical bf16 rounding, and not fp32 (which would give 0)")
                .isBetween(1e-4, 4e-3);
    }

    @Test
    void handlesWidthsThatAreNotMultiplesOfTheBlocks() {
        INDArray w = Nd4j.randn(DataType.FLOAT, 19, 37);
        INDArray x = Nd4j.randn(DataType.FLOAT, 3, 37);

        INDArray actual = new DnnlBf16Matmul(w, null).forward(x);

        Bf16Bound.assertWithin(x, w, new DenseLinear(w, null).forward(x), actual);
    }

    @Test
    void addsTheBiasOncePerOutputColumn() {
        INDArray w = Nd4j.randn(DataType.FLOAT, 48, 64).muli(0.02);
        INDArray b = Nd4j.arange(48).castTo(DataType.FLOAT).addi(1000);  // 1000, 1001, ...: a shift shows up as ±1
        INDArray x = Nd4j.randn(DataType.FLOAT, 5, 64);

        INDArray withBias = new DnnlBf16Matmul(w, b).forward(x);
        INDArray withoutBias = new DnnlBf16Matmul(w, null).forward(x);

        float[] difference = withBias.sub(withoutBias).data().asFloat();
        for (int i = 0; i < difference.length; i++) {
            assertThat((double) difference[i]).as("row %d column %d", i / 48, i % 48)
                    .isCloseTo(1000 + i % 48, org.assertj.core.data.Offset.offset(2e-4));
        }
    }

    @Test
    void readsStridedAndOffsetInputsLikeTheirDenseCopies() {
        INDArray big = Nd4j.randn(DataType.FLOAT, 9, IN);
        INDArray rowsFromThree = big.get(NDArrayIndex.interval(3, 9), NDArrayIndex.all());    // offset view
        INDArray columnMajor = big.dup('f');
        INDArray transposed = Nd4j.randn(DataType.FLOAT, IN, 4).transpose();

        assertThat(layer.forward(rowsFromThree)).isEqualTo(layer.forward(rowsFromThree.dup('c')));
        assertThat(layer.forward(columnMajor)).isEqualTo(layer.forward(big));
        assertThat(layer.forward(transposed)).isEqualTo(layer.forward(transposed.dup('c')));
    }

    @Test
    void writesIntoACallersOutputAndRejectsOutputsItCannotWrite() {
        INDArray x = Nd4j.randn(DataType.FLOAT, 7, IN);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 7, OUT);

        INDArray returned = layer.forward(x, y);

        assertThat(returned).isSameAs(y).isEqualTo(layer.forward(x));
        assertThatThrownBy(() -> layer.forward(x, Nd4j.create(DataType.FLOAT, new long[] {7, OUT}, 'f')))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("order f");
        assertThatThrownBy(() -> layer.forward(x, Nd4j.zeros(DataType.FLOAT, 8, OUT)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[7, 4096]");
    }

    @Test
    void fourThreadsSharingOneLayerGetTheSequentialResults() throws Exception {
        DnnlBf16Matmul shared = new DnnlBf16Matmul(weight, bias);           // no plans yet: threads race to build them
        int[] rows = {577, 577, 7, 64};
        List<INDArray> inputs = new ArrayList<>();
        List<INDArray> expected = new ArrayList<>();
        for (int n : rows) {
            INDArray x = Nd4j.randn(DataType.FLOAT, n, IN);
            inputs.add(x);
            expected.add(layer.forward(x));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<INDArray>>> results = new ArrayList<>();
            for (INDArray x : inputs) {
                results.add(pool.submit(() -> List.of(shared.forward(x), shared.forward(x), shared.forward(x))));
            }
            for (int t = 0; t < rows.length; t++) {
                for (INDArray y : results.get(t).get()) {
                    assertThat(y).as("thread %d, %d rows", t, rows[t]).isEqualTo(expected.get(t));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void multipliesOnAnOpenMpTeamOfEveryCoreWhateverTheCallersTeam() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        assumeTrue(cores > 1, "one core: no team to check");
        String name = "dnnl-team-test";                                // Linux thread names: at most 15 characters
        long[] threadsNamed = new long[2];
        Thread caller = new Thread(() -> {                             // a fresh thread: OMP_NUM_THREADS=1 in tests
            threadsNamed[0] = nativeThreadsNamed(name);
            new DnnlBf16Matmul(Nd4j.randn(DataType.FLOAT, 256, 256), null).forward(Nd4j.randn(DataType.FLOAT, 64, 256));
            threadsNamed[1] = nativeThreadsNamed(name);
        }, name);

        caller.start();
        caller.join();

        assertThat(threadsNamed[0]).isEqualTo(1);
        assertThat(threadsNamed[1]).as("the caller plus the OpenMP workers it spawned, which inherit its name")
                .isEqualTo(cores);
    }

    @Test
    void packsTheWeightInHalfTheBytesOfFp32() {
        assertThat(layer.weightBytes()).isEqualTo(2L * IN * OUT);
        assertThat(layer.inFeatures()).isEqualTo(IN);
        assertThat(layer.outFeatures()).isEqualTo(OUT);
    }

    @Test
    void rejectsInputsOfTheWrongWidthOrType() {
        assertThatThrownBy(() -> layer.forward(Nd4j.zeros(DataType.FLOAT, 2, IN + 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[n, 1024]").hasMessageContaining("[2, 1025]");
        assertThatThrownBy(() -> layer.forward(Nd4j.zeros(DataType.DOUBLE, 2, IN)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DOUBLE");
        assertThatThrownBy(() -> new DnnlBf16Matmul(weight, Nd4j.zeros(DataType.FLOAT, OUT - 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4096").hasMessageContaining("4095");
    }

    private static long nativeThreadsNamed(String name) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.filter(task -> {
                try {
                    return Files.readString(task.resolve("comm")).trim().equals(name);
                } catch (IOException exited) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.ferret4j.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

final class KernelPoolTest {

    @Test
    void coversEveryIndexExactlyOnceInOneChunkPerThread() {
        try (KernelPool pool = new KernelPool(3)) {
            for (int count : new int[] {1, 2, 3, 10, 1001}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(count);
                Set<Integer> chunkStarts = ConcurrentHashMap.newKeySet();
                pool.forEachRange(count, 1, (a, b) -> {
                    chunkStarts.add(a);
                    for (int i = a; i < b; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < count; i++) {
                    assertThat(hits.get(i)).as("index %d of %d", i, count).isEqualTo(1);
                }
                assertThat(chunkStarts).hasSize(Math.min(3, count));
            }
        }
    }

    @Test
    void keepsSmallWorkOnTheCallingThread() {
        try (KernelPool pool = new KernelPool(2)) {
            Set<String> threads = ConcurrentHashMap.newKeySet();
            pool.forEachRange(100, 64, (a, b) -> threads.add(Thread.currentThread().getName()));
            assertThat(threads).containsExactly(Thread.currentThread().getName());
        }
    }

    @Test
    void runsNestedCallsInlineInsteadOfDeadlocking() {
        try (KernelPool pool = new KernelPool(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(4);
            pool.forEachRange(2, 1, (a, b) -> pool.forEachRange(2, 1, (c, d) -> {
                for (int i = c; i < d; i++) {
                    hits.incrementAndGet(a * 2 + i);
                }
            }));
            assertThat(hits.toString()).isEqualTo("[1, 1, 1, 1]");
        }
    }

    @Test
    void rethrowsAWorkersFailureAfterAllChunksFinish() {
        try (KernelPool pool = new KernelPool(2)) {
            assertThatThrownBy(() -> pool.forEachRange(10, 1, (a, b) -> {
                if (a > 0) {
                    throw new IllegalStateException("chunk " + a);
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("chunk 5");
        }
    }

    @Test
    void validatesTheThreadCountAndProtectsTheSharedPool() {
        assertThatThrownBy(() -> new KernelPool(0)).hasMessageContaining("must be >= 1, got 0");
        assertThat(KernelPool.shared().threads()).isEqualTo(
                Integer.getInteger(KernelPool.THREADS_PROPERTY, Runtime.getRuntime().availableProcessors()));
        assertThatThrownBy(() -> KernelPool.shared().close()).isInstanceOf(IllegalStateException.class);
    }
}

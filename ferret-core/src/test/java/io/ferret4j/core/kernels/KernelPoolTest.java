package io.ferret4j.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

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
    void anInterruptedCallerStillWaitsForItsChunksBeforeItFails() throws Exception {
        try (KernelPool pool = new KernelPool(2)) {
            CountDownLatch workerStarted = new CountDownLatch(1);
            AtomicBoolean workerDone = new AtomicBoolean();
            AtomicBoolean doneWhenCallerLeft = new AtomicBoolean();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    pool.forEachRange(2, 1, (a, b) -> {
                        if (a == 1) {                                  // the pool's chunk: outlasts the interrupt
                            workerStarted.countDown();
                            sleep(300);
                            workerDone.set(true);
                        }
                    });
                } catch (RuntimeException e) {
                    thrown.set(e);
                }
                doneWhenCallerLeft.set(workerDone.get());
            });
            caller.start();
            workerStarted.await();
            caller.interrupt();
            caller.join();

            assertThat(doneWhenCallerLeft).as("the chunk had ended when the caller left").isTrue();
            assertThat(thrown.get()).hasMessageContaining("interrupted while waiting for kernel threads");
        }
    }

    private static void sleep(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            LockSupport.parkNanos(end - System.nanoTime());
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

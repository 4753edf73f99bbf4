package io.ferret4j.core.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs tasks on threads of their own, released at the same moment, for tests of concurrent callers. */
public final class AtOnce {
    private AtOnce() {
    }

    /** One caller's work; {@code i} is its index. */
    @FunctionalInterface
    public interface Task<T> {
        T run(int i) throws Exception;
    }

    /** Runs {@code n} tasks released at the same moment and returns their results in index order. */
    public static <T> List<T> run(int n, Task<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    go.await();
                    return task.run(index);
                }));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}

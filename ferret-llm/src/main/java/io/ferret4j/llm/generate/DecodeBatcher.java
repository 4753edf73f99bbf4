package io.ferret4j.llm.generate;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import io.ferret4j.core.nn.RowByRow;
import io.ferret4j.core.probe.Probe;
import io.ferret4j.llm.KvCache;
import io.ferret4j.llm.LlamaDecoder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs the language model for every generation of one decoder in rounds, so that concurrent answers share each
 * pass over the weights. A round is one decoding step for every generation waiting for its next token (one
 * {@code [n, hidden]} product per weight, up to {@code maxBatch} rows), then at most one chunk of one newcomer's
 * prompt: a running answer waits for at most one chunk while others prefill. Generations join and leave between
 * rounds.
 *
 * <p>There is no thread of its own: a caller whose work is waiting runs the next round for everyone once no round
 * is running and every generation between two of its steps has asked for its next one (or the oldest request has
 * waited {@value #GATHER_MICROS} µs, so that a slow listener does not hold the others). Each row of a step is
 * exactly what decoding that sequence alone gives ({@link LlamaDecoder#forward(int[], List)}), and a prompt is
 * always cut into the same chunks, so an answer does not depend on what else runs beside it. Thread-safe.
 */
public final class DecodeBatcher implements Generator.StepRunner {
    /** How long a waiting request holds its round back for generations that have not asked yet. */
    static final long GATHER_MICROS = 2000;

    private final LlamaDecoder decoder;
    private final int maxBatch;
    private final int prefillChunkRows;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Work> waitingSteps = new ArrayDeque<>();
    private final ArrayDeque<Work> chunks = new ArrayDeque<>();
    private final Map<Integer, DecodeSteps> steps = new TreeMap<>();
    private boolean running;
    private int decoding;

    /**
     * @param maxBatch         the most sequences in one step, in {@code [1, RowByRow.MAX_ROWS]}
     * @param prefillChunkRows prompt rows run in one round, at least 1
     * @throws IllegalArgumentException naming a value out of range
     */
    public DecodeBatcher(LlamaDecoder decoder, int maxBatch, int prefillChunkRows) {
        if (maxBatch < 1 || maxBatch > RowByRow.MAX_ROWS || prefillChunkRows < 1) {
            throw new IllegalArgumentException("maxBatch must be in [1, " + RowByRow.MAX_ROWS + "] and "
                    + "prefillChunkRows at least 1, got " + maxBatch + " and " + prefillChunkRows);
        }
        this.decoder = decoder;
        this.maxBatch = maxBatch;
        this.prefillChunkRows = prefillChunkRows;
    }

    /**
     * Runs prompt rows {@code [T, hidden]} at {@code cache}'s next positions, {@code prefillChunkRows} per round,
     * and returns the logits of the last row.
     */
    @Override
    public float[] prefill(KvCache cache, INDArray rows) {
        int total = (int) rows.size(0);
        float[] logits = null;
        for (int start = 0; start < total; start += prefillChunkRows) {
            int end = Math.min(total, start + prefillChunkRows);
            INDArray chunk = start == 0 && end == total ? rows : rows.get(interval(start, end), all()).dup();
            logits = await(chunks, new Work(cache, chunk, -1));
        }
        return logits;
    }

    /** Feeds {@code tokenId} at {@code cache}'s next position in the next step and returns the logits after it. */
    @Override
    public float[] step(KvCache cache, int tokenId) {
        return await(waitingSteps, new Work(cache, null, tokenId));
    }

    /** A generation starts decoding: rounds wait (briefly) for its steps. Pair with {@link #leave()}. */
    @Override
    public void join() {
        lock.lock();
        try {
            decoding++;
        } finally {
            lock.unlock();
        }
    }

    /** A generation has taken its last step. */
    @Override
    public void leave() {
        lock.lock();
        try {
            decoding--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The steps run so far, by the number of sequences each advanced. */
    public Map<Integer, DecodeSteps> steps() {
        lock.lock();
        try {
            return new TreeMap<>(steps);
        } finally {
            lock.unlock();
        }
    }

    private float[] await(ArrayDeque<Work> queue, Work work) {
        lock.lock();
        try {
            queue.add(work);
            changed.signalAll();
            while (!work.done) {
                if (running) {
                    changed.await();                                   // signalled when the round ends
                } else if (ready()) {
                    runRound();
                } else {
                    changed.await(GATHER_MICROS, TimeUnit.MICROSECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the language model", e);
        } finally {
            lock.unlock();
        }
        if (work.failure != null) {
            throw work.failure;
        }
        return work.logits;
    }

    /** Every decoding generation has asked for its step (or a full batch has), or the oldest has waited enough. */
    private boolean ready() {
        if (waitingSteps.size() >= Math.min(decoding, maxBatch)) {
            return true;
        }
        long oldest = Math.min(waitingSteps.isEmpty() ? Long.MAX_VALUE : waitingSteps.peek().since,
                chunks.isEmpty() ? Long.MAX_VALUE : chunks.peek().since);
        return System.nanoTime() - oldest >= TimeUnit.MICROSECONDS.toNanos(GATHER_MICROS);
    }

    /** Takes a round's work, runs it without the lock, and hands each waiting caller its result. */
    private void runRound() {
        List<Work> batch = new ArrayList<>();
        while (!waitingSteps.isEmpty() && batch.size() < maxBatch) {
            batch.add(waitingSteps.poll());
        }
        Work chunk = chunks.poll();
        running = true;
        lock.unlock();
        long stepNanos = 0;
        try {
            if (!batch.isEmpty()) {
                long t0 = System.nanoTime();
                run(batch, () -> decoder.logits(decoder.forward(ids(batch), caches(batch))));   // [n, vocab]
                stepNanos = System.nanoTime() - t0;
            }
            if (chunk != null) {
                run(List.of(chunk), () -> decoder.logits(Generator.lastRow(decoder.forward(chunk.rows, chunk.cache,
                        Probe.NONE))));                                                    // [1, vocab]
            }
        } finally {
            lock.lock();
            running = false;
            if (!batch.isEmpty()) {
                long nanos = stepNanos;
                steps.merge(batch.size(), new DecodeSteps(1, nanos), (old, one) -> old.plus(nanos));
            }
            for (Work w : batch) {
                w.done = true;
            }
            if (chunk != null) {
                chunk.done = true;
            }
            changed.signalAll();
        }
    }

    /** Hands row {@code i} of {@code logits}' result to the i-th work, or the failure to all of them. */
    private static void run(List<Work> works, Supplier<INDArray> logits) {
        try {
            INDArray rows = logits.get();
            for (int i = 0; i < works.size(); i++) {
                works.get(i).logits = rows.getRow(i, true).dup().data().asFloat();
            }
        } catch (RuntimeException e) {
            works.forEach(w -> w.failure = e);
        }
    }

    private static int[] ids(List<Work> batch) {
        return batch.stream().mapToInt(w -> w.tokenId).toArray();
    }

    private static List<KvCache> caches(List<Work> batch) {
        return batch.stream().map(w -> w.cache).toList();
    }

    /** One caller's request: a step of its sequence ({@code tokenId}), or a chunk of its prompt ({@code rows}). */
    private static final class Work {
        final long since = System.nanoTime();
        final KvCache cache;
        final INDArray rows;
        final int tokenId;
        float[] logits;
        RuntimeException failure;
        boolean done;

        Work(KvCache cache, INDArray rows, int tokenId) {
            this.cache = cache;
            this.rows = rows;
            this.tokenId = tokenId;
        }
    }
}

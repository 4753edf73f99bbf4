package io.ferret4j.llm;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.ferret4j.llm.generate.PrefixReuse;

/**
 * The key/value rows of prompts already computed by one {@link Ferret}, least recently used first out, bounded in
 * bytes: a new prompt starts from a copy of the rows of its longest prefix found here, so a second question about
 * the same image prefills only the rows after the image, and a conversation's next turn only its new turn. Each
 * finished answer leaves a compact copy of its rows (prompt and answer), replacing any entry it extends.
 *
 * <p>Exact: a prefix is shared only as far as {@link PromptRows} are equal (token ids, and the digests of image and
 * region rows), and answers get copies, never the kept rows themselves. Rows are kept in the answers' cache format.
 * An entry being copied from is freed only once the copy is done. Thread-safe.
 */
final class PrefixCache implements AutoCloseable {
    private final ByteBoundedLru<Entry, Entry> entries;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong reusedRows = new AtomicLong();

    /** Kept rows and the copies being made of them; the lock is the cache's. */
    private static final class Entry {
        private final PromptRows rows;
        private final KvCache cache;
        private int readers;
        private boolean dropped;

        private Entry(PromptRows rows, KvCache cache) {
            this.rows = rows;
            this.cache = cache;
        }
    }

    /** A cache of at most {@code maxBytes} of key/value rows; 0 keeps none. */
    PrefixCache(long maxBytes) {
        this.entries = new ByteBoundedLru<>(maxBytes, this::drop);
    }

    /**
     * The reuse of one spliced prompt ({@link PromptRows#of}); {@link PrefixReuse#NONE} if this cache keeps
     * nothing, which then costs no digest.
     */
    PrefixReuse forPrompt(FerretModel.Prepared prompt, int regionTokenId) {
        if (!entries.fits(1)) {
            return PrefixReuse.NONE;
        }
        PromptRows rows = PromptRows.of(prompt.inputIds(), prompt.inputsEmbeds(), regionTokenId);
        return new PrefixReuse() {
            @Override
            public int restore(KvCache cache, int maxRows) {
                return PrefixCache.this.restore(rows, cache, maxRows);
            }

            @Override
            public void keep(KvCache cache, int[] fedIds) {
                PrefixCache.this.keep(rows.followedBy(fedIds), cache);
            }
        };
    }

    private int restore(PromptRows rows, KvCache cache, int maxRows) {
        Entry best = null;
        int bestRows = 0;
        synchronized (this) {
            for (Map.Entry<Entry, Entry> e : entries.entries()) {
                int shared = Math.min(rows.commonPrefix(e.getKey().rows), maxRows);
                if (shared > bestRows) {
                    best = e.getKey();
                    bestRows = shared;
                }
            }
            if (best == null) {
                misses.incrementAndGet();
                return 0;
            }
            entries.touch(best);
            best.readers++;
        }
        try {
            cache.restore(best.cache, bestRows);
        } finally {
            release(best);
        }
        hits.incrementAndGet();
        reusedRows.addAndGet(bestRows);
        return bestRows;
    }

    private void keep(PromptRows rows, KvCache cache) {
        synchronized (this) {
            if (!entries.fits(cache.bytes() / cache.capacity() * cache.length())) {
                return;
            }
            for (Map.Entry<Entry, Entry> e : entries.entries()) {
                if (e.getKey().rows.commonPrefix(rows) == rows.length()) {   // already kept, maybe with more rows
                    entries.touch(e.getKey());
                    return;
                }
            }
        }
        Entry kept = new Entry(rows, cache.copyOfPrefix(rows.length()));
        synchronized (this) {
            for (Map.Entry<Entry, Entry> e : entries.entries()) {
                if (rows.commonPrefix(e.getKey().rows) == e.getKey().rows.length()) {   // the new rows extend it
                    entries.remove(e.getKey());
                }
            }
            if (!entries.put(kept, kept, kept.cache.bytes())) {
                kept.cache.close();
            }
        }
    }

    /** Called under the lock when an entry leaves: freed now, or by its last reader. */
    private void drop(Entry entry) {
        entry.dropped = true;
        if (entry.readers == 0) {
            entry.cache.close();
        }
    }

    private synchronized void release(Entry entry) {
        entry.readers--;
        if (entry.dropped && entry.readers == 0) {
            entry.cache.close();
        }
    }

    /** Prompts that reused some rows. */
    long hits() {
        return hits.get();
    }

    /** Prompts that found no shared prefix. */
    long misses() {
        return misses.get();
    }

    /** Rows copied instead of computed, over all prompts. */
    long reusedRows() {
        return reusedRows.get();
    }

    /** The bytes of the rows kept. */
    synchronized long bytes() {
        return entries.bytes();
    }

    /** Frees and forgets every entry (entries being copied from are freed when their copies end). */
    @Override
    public synchronized void close() {
        entries.clear();
    }
}

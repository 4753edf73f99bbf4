package io.ferret4j.llm.generate;

import io.ferret4j.llm.KvCache;

/**
 * Lets one generation start from the key/value rows of its prompt's longest prefix computed before, and leave its
 * own rows for later generations. Bound to one prompt; exact: restored rows are copies of rows computed from the
 * same input rows at the same positions.
 */
public interface PrefixReuse {
    /** Reuses nothing and keeps nothing. */
    PrefixReuse NONE = new PrefixReuse() {
        @Override
        public int restore(KvCache cache, int maxRows) {
            return 0;
        }

        @Override
        public void keep(KvCache cache, int[] fedIds) {
        }
    };

    /**
     * Copies into the empty {@code cache} the rows of the longest known prefix of the prompt, at most
     * {@code maxRows} of them.
     *
     * @return the number of rows restored; the prompt is then run from that row on
     */
    int restore(KvCache cache, int maxRows);

    /**
     * Offers the rows of a finished generation: {@code cache} holds the prompt, then the generated ids
     * {@code fedIds} that were fed back. An implementation copies what it keeps; the cache is closed afterwards.
     */
    void keep(KvCache cache, int[] fedIds);
}

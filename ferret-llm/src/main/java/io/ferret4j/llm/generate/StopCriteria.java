package io.ferret4j.llm.generate;

import java.util.List;

/** Decides after each new id whether the generated ids end with EOS or with a stop sequence. */
final class StopCriteria {
    private final int eosTokenId;
    private final List<List<Integer>> stopSequences;

    StopCriteria(int eosTokenId, List<List<Integer>> stopSequences) {
        this.eosTokenId = eosTokenId;
        this.stopSequences = stopSequences;
    }

    /** The reason to stop after the first {@code count} generated ids, or null to go on. */
    StopReason check(int[] generated, int count) {
        if (generated[count - 1] == eosTokenId) {
            return StopReason.EOS;
        }
        for (List<Integer> stop : stopSequences) {
            if (endsWith(generated, count, stop)) {
                return StopReason.STOP_SEQUENCE;
            }
        }
        return null;
    }

    private static boolean endsWith(int[] generated, int count, List<Integer> stop) {
        int start = count - stop.size();
        if (start < 0) {
            return false;
        }
        for (int i = 0; i < stop.size(); i++) {
            if (generated[start + i] != stop.get(i)) {
                return false;
            }
        }
        return true;
    }
}

package io.ferret4j.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

final class ByteBoundedLruTest {
    private final List<String> evicted = new ArrayList<>();
    private final ByteBoundedLru<String, String> lru = new ByteBoundedLru<>(10, evicted::add);

    @Test
    void evictsTheLeastRecentlyUsedUntilTheNewEntryFits() {
        lru.put("a", "A", 4);
        lru.put("b", "B", 4);
        assertThat(lru.get("a")).isEqualTo("A");                      // b is now the oldest
        lru.put("c", "C", 4);

        assertThat(evicted).containsExactly("B");
        assertThat(lru.entries()).extracting(Map.Entry::getKey).containsExactly("a", "c");
        assertThat(lru.bytes()).isEqualTo(8);
    }

    @Test
    void keepsNothingLargerThanTheBoundAndReplacesAKeysValue() {
        assertThat(lru.put("big", "BIG", 11)).isFalse();
        lru.put("a", "A1", 3);
        lru.put("a", "A2", 5);

        assertThat(evicted).containsExactly("A1");
        assertThat(lru.get("a")).isEqualTo("A2");
        assertThat(lru.bytes()).isEqualTo(5);
        lru.clear();
        assertThat(evicted).containsExactly("A1", "A2");
        assertThat(lru.bytes()).isZero();
    }

    @Test
    void zeroKeepsNothingAndANegativeBoundIsRefused() {
        ByteBoundedLru<String, String> off = new ByteBoundedLru<>(0, evicted::add);
        assertThat(off.put("a", "A", 1)).isFalse();
        assertThat(off.get("a")).isNull();
        assertThatThrownBy(() -> new ByteBoundedLru<String, String>(-1, v -> { }))
                .hasMessageContaining("got -1");
    }
}

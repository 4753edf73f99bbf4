package io.ferret4j.core.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

final class ResourcesTest {
    private final List<String> closed = new ArrayList<>();

    @Test
    void closesTheLastAddedFirstAndOnlyOnce() {
        Resources resources = new Resources();
        resources.add(() -> closed.add("tower"));
        resources.add(() -> closed.add("weights"));

        resources.close();
        resources.close();

        assertThat(closed).containsExactly("weights", "tower");
    }

    @Test
    void closesEveryPartThenThrowsTheFirstFailureWithTheOthersSuppressed() {
        Resources resources = new Resources();
        resources.add(() -> closed.add("first"));
        resources.add(() -> {
            throw new java.io.IOException("disk gone");
        });
        resources.add(() -> {
            throw new IllegalStateException("busy");
        });

        assertThatThrownBy(resources::close).isInstanceOf(IllegalStateException.class).hasMessage("busy")
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                        .satisfies(s -> assertThat(s).hasMessageContaining("disk gone")));
        assertThat(closed).containsExactly("first");
    }

    @Test
    void refusesPartsOnceClosed() {
        Resources resources = new Resources();
        resources.close();

        assertThatThrownBy(() -> resources.add(() -> closed.add("late"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void closeAfterAFailedLoadAttachesItsOwnFailure() {
        IllegalArgumentException loadFailure = new IllegalArgumentException("bad config");
        Resources resources = new Resources();
        resources.add(() -> {
            throw new IllegalStateException("cannot unmap");
        });

        Resources.closeAfter(resources, loadFailure);

        assertThat(loadFailure.getSuppressed()).singleElement()
                .satisfies(s -> assertThat(s).hasMessage("cannot unmap"));
    }
}

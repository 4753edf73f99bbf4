package io.ferret4j.core.plan;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Parses the command-line spelling of the plan's enums: the constant's name in any case. */
final class Names {
    private Names() {
    }

    /** The constant of {@code type} named {@code name} in any case; fails naming {@code what} and the valid names. */
    static <E extends Enum<E>> E parse(Class<E> type, String name, String what) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(name)) {
                return e;
            }
        }
        List<String> valid = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT))
                .toList();
        throw new IllegalArgumentException("unknown " + what + " '" + name + "'; expected "
                + String.join(", ", valid.subList(0, valid.size() - 1)) + " or " + valid.get(valid.size() - 1));
    }
}

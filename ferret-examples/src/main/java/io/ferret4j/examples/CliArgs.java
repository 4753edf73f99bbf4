package io.ferret4j.examples;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Command-line options of the form {@code --name value} and {@code --flag}. Unknown options, missing values and
 * malformed numbers are {@link UsageException}s naming the option, so the CLI can print one line and exit.
 */
final class CliArgs {
    private final Map<String, List<String>> values = new LinkedHashMap<>();
    private final List<Map.Entry<String, String>> ordered = new ArrayList<>();

    private CliArgs() {
    }

    /** Thrown for user mistakes on the command line; a bad value in a CLI form read elsewhere (a task file) too. */
    static final class UsageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Parses {@code args}.
     *
     * @param withValue options that take a value (repeatable)
     * @param flags options that take none
     */
    static CliArgs parse(List<String> args, Set<String> withValue, Set<String> flags) {
        CliArgs out = new CliArgs();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (flags.contains(a)) {
                out.values.computeIfAbsent(a, k -> new ArrayList<>()).add("true");
            } else if (withValue.contains(a)) {
                if (i + 1 >= args.size()) {
                    throw new UsageException(a + " needs a value");
                }
                String v = args.get(++i);
                out.values.computeIfAbsent(a, k -> new ArrayList<>()).add(v);
                out.ordered.add(Map.entry(a, v));
            } else {
                throw new UsageException("unknown option '" + a + "'");
            }
        }
        return out;
    }

    /** A copy with {@code name} set to {@code value} (replacing earlier values). */
    CliArgs with(String name, String value) {
        CliArgs copy = without(name);
        copy.values.put(name, new ArrayList<>(List.of(value)));
        copy.ordered.add(Map.entry(name, value));
        return copy;
    }

    /** A copy without {@code name}. */
    CliArgs without(String name) {
        CliArgs copy = new CliArgs();
        values.forEach((k, v) -> {
            if (!k.equals(name)) {
                copy.values.put(k, new ArrayList<>(v));
            }
        });
        ordered.stream().filter(e -> !e.getKey().equals(name)).forEach(copy.ordered::add);
        return copy;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    Optional<String> get(String name) {
        List<String> v = values.get(name);
        if (v != null && v.size() > 1) {
            throw new UsageException(name + " given " + v.size() + " times");
        }
        return v == null ? Optional.empty() : Optional.of(v.get(0));
    }

    String require(String name) {
        return get(name).orElseThrow(() -> new UsageException("missing " + name));
    }

    List<String> all(String name) {
        return values.getOrDefault(name, Collections.emptyList());
    }

    /** The values of any of {@code names}, as (option, value) pairs in command-line order. */
    List<Map.Entry<String, String>> inOrder(Set<String> names) {
        return ordered.stream().filter(e -> names.contains(e.getKey())).toList();
    }

    int intValue(String name, int dflt) {
        return get(name).map(v -> parseInt(name, v)).orElse(dflt);
    }

    double doubleValue(String name, double dflt) {
        return get(name).map(v -> {
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new UsageException(name + " expects a number, got '" + v + "'");
            }
        }).orElse(dflt);
    }

    /** Comma-separated integers, e.g. {@code 10,20,30,40}, with the expected count (or any even count if -1). */
    static int[] ints(String name, String value, int count) {
        String[] parts = value.split(",", -1);
        if (count > 0 ? parts.length != count : parts.length < 6 || parts.length % 2 != 0) {
            throw new UsageException(name + " expects " + (count > 0 ? count + " comma-separated integers"
                    : "at least 3 X,Y pairs") + ", got '" + value + "'");
        }
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = parseInt(name, parts[i].strip());
        }
        return out;
    }

    private static int parseInt(String name, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException(name + " expects an integer, got '" + v + "'");
        }
    }
}

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

    private CliArgs() {
    }

    /** Thrown for user mistakes on the command line. */
    static final class UsageException extends RuntimeException {
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
                out.values.computeIfAbsent(a, k -> new ArrayList<>()).add(args.get(++i));
            } else {
                throw new UsageException("unknown option '" + a + "'");
            }
        }
        return out;
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

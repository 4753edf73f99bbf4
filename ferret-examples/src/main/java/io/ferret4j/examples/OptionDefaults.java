package io.ferret4j.examples;

import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A command's own defaults for shared options (a picocli default-value provider): the demo answers in fewer tokens,
 * the benchmark loads Q8_0, the evaluations decode as the reference's scripts do. Subclasses name the options.
 */
public abstract class OptionDefaults implements CommandLine.IDefaultValueProvider {
    private final Map<String, String> defaults;

    /** Defaults by long option name, e.g. {@code Map.of("--max-new-tokens", "24")}. */
    protected OptionDefaults(Map<String, String> defaults) {
        this.defaults = Map.copyOf(defaults);
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        return arg instanceof OptionSpec o ? defaults.get(o.longestName()) : null;
    }
}

package io.ferret4j.examples;

import java.util.concurrent.Callable;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ferret completion}: picocli's bash/zsh completion script for every command and option. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Print a bash/zsh completion script for ferret: source <(ferret completion)")
final class CompletionCommand implements Callable<Integer> {
    @ParentCommand
    private FerretCli cli;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        cli.out().print(AutoComplete.bash("ferret", spec.root().commandLine()));
        return 0;
    }
}

package io.ferret4j.examples;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.llm.tokenizer.TokenizerException;
import picocli.CommandLine;

/**
 * The {@code ferret} command: {@code demo}, {@code refer}, {@code ground}, {@code ask}, {@code tokenize},
 * {@code convert}, {@code bench}, {@code serve}, {@code serve-soak}. User mistakes print one line and a non-zero
 * exit code, never a stack trace (set
 * {@code FERRET_DEBUG=1} to see one).
 */
public final class FerretCli {
    static final String USAGE = """
            usage: ferret <command> [options]
              demo      [--annotate OUT.png] [--max-new-tokens N]       refer + ground on a bundled photo, tiny random model
              refer     --model DIR --image FILE REGION [--question Q]   describe a region (REGION: --point/--box/--mask/--polygon)
              ground    --model DIR --image FILE --text PHRASE           find what the text names
              ask       --model DIR --image FILE --prompt P [REGION...]  free question; <region> marks each region in order
              tokenize  [--model DIR] (--text T | --jsonl)               ids with BOS and pieces, as JSON
              convert   --base VICUNA_DIR --delta DELTA_DIR --out DIR    rebuild Ferret from Vicuna v1.3 + the delta
              convert   --model DIR --quantize q8_0 --out DIR            store the LLM matrices as Q8_0
              serve     (--model DIR | --demo) [--host H] [--port P] [--api-key K] ...   OpenAI-compatible HTTP API + web page
              serve-soak [--requests N]                                  1000 requests on the demo model: memory and open files
              bench     [--model 7b|13b] [--weights f32|f16|q8_0] [--layers N] [--threads N] [--vision-weights f32|f16] [--llm-precision fp32|bf16] [--kv-cache f32|f16] [--json]
                                                                         speed and memory on random weights of the real shapes
            common options: --vision-tower DIR --weights f16|f32|q8_0 --vision-weights f32|f16 --vision-precision fp32|bf16
                            --llm-precision fp32|bf16 --kv-cache f32|f16 --max-new-tokens N --temperature T --top-p P --seed S
                            --deterministic --json --annotate OUT.png --dump FILE.safetensors
            regions: --point X,Y  --box X1,Y1,X2,Y2  --mask PNG  --polygon X,Y,X,Y,...  (pixels; repeatable, in order)
            """;

    private FerretCli() {
    }

    public static void main(String[] args) {
        int code = run(args, System.in, System.out, System.err);
        System.out.flush();
        if (code != 0) {
            Runtime.getRuntime().halt(code);
        }
    }

    /**
     * Runs one command.
     *
     * @return the process exit code: 0 on success, 2 for a usage error, 1 for any other failure
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            switch (args[0]) {
                case "demo" -> DemoCommand.run(rest, out);
                case "refer", "ground", "ask" -> AskCommand.run(args[0], rest, out);
                case "tokenize" -> TokenizeCommand.run(rest, in, out);
                case "convert" -> ConvertCommand.run(rest, out);
                case "bench" -> BenchCommand.run(rest, out);
                case "serve" -> {
                    return picocli(new ServeCommand(), rest, out, err);
                }
                case "serve-soak" -> {
                    return picocli(new ServeSoakCommand(out), rest, out, err);
                }
                default -> throw new CliArgs.UsageException("unknown command '" + args[0] + "'");
            }
            return 0;
        } catch (CliArgs.UsageException e) {
            err.println("ferret: " + e.getMessage() + " (ferret --help for usage)");
            return 2;
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException | CheckpointException
                 | TokenizerException e) {
            if (System.getenv("FERRET_DEBUG") != null) {
                e.printStackTrace(err);
            }
            err.println("ferret: " + e.getMessage());
            return 1;
        }
    }

    private static int picocli(Object command, List<String> args, PrintStream out, PrintStream err) {
        return new CommandLine(command).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args.toArray(String[]::new));
    }
}

package io.ferret4j.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferret4j.llm.tokenizer.LlamaTokenizer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ferret tokenize}: the ids (with BOS) and pieces of {@code --text}, or of every JSON string read one per line
 * from standard input with {@code --jsonl}; one JSON object per text. Without {@code --model} the bundled LLaMA
 * tokenizer (with {@code <region_fea>} = 32000) is used.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Print the ids (with BOS) and pieces of a text, as JSON.")
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "DIR",
            description = "the checkpoint whose tokenizer to use (default: the bundled LLaMA tokenizer)")
    private Path model;

    @ArgGroup(multiplicity = "1")
    private Input input;

    @ParentCommand
    private FerretCli cli;

    /** Exactly one source of text. */
    static final class Input {
        @Option(names = "--text", paramLabel = "T", required = true, description = "the text")
        private String text;

        @Option(names = "--jsonl", required = true, description = "read one JSON string per line from standard input")
        private boolean jsonl;
    }

    @Override
    public Integer call() {
        PrintStream out = cli.out();
        LlamaTokenizer tokenizer = model == null ? BundledFiles.tokenizer() : LlamaTokenizer.load(model);
        if (input.text != null) {
            out.println(encode(tokenizer, input.text));
            return 0;
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(cli.in(), StandardCharsets.UTF_8))) {
            int lineNo = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lineNo++;
                out.println(encode(tokenizer, jsonString(line, lineNo)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read standard input: " + e.getMessage(), e);
        }
        return 0;
    }

    private static String jsonString(String line, int lineNo) {
        try {
            JsonNode node = AnswerOutput.JSON.readTree(line);
            if (node == null || !node.isTextual()) {
                throw new IllegalArgumentException("line " + lineNo + " is not a JSON string: " + line);
            }
            return node.asText();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("line " + lineNo + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String encode(LlamaTokenizer tokenizer, String text) {
        int[] ids = tokenizer.encode(text);
        ObjectNode o = AnswerOutput.JSON.createObjectNode();
        ArrayNode idArray = o.putArray("ids");
        for (int id : ids) {
            idArray.add(id);
        }
        ArrayNode pieces = o.putArray("pieces");
        tokenizer.pieces(ids).forEach(pieces::add);
        return o.toString();
    }
}

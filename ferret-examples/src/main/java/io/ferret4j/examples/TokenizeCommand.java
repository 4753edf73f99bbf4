package io.ferret4j.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferret4j.llm.tokenizer.LlamaTokenizer;

/**
 * {@code ferret tokenize}: the ids (with BOS) and pieces of {@code --text}, or of every JSON string read one per line
 * from standard input with {@code --jsonl}; one JSON object per text. Without {@code --model} the bundled LLaMA
 * tokenizer (with {@code <region_fea>} = 32000) is used.
 */
final class TokenizeCommand {
    private TokenizeCommand() {
    }

    static void run(List<String> rawArgs, InputStream in, PrintStream out) {
        CliArgs args = CliArgs.parse(rawArgs, Set.of("--model", "--text"), Set.of("--jsonl"));
        if (args.has("--text") == args.has("--jsonl")) {
            throw new CliArgs.UsageException("tokenize needs exactly one of --text or --jsonl");
        }
        LlamaTokenizer tokenizer = args.get("--model").map(m -> LlamaTokenizer.load(Path.of(m)))
                .orElseGet(BundledFiles::tokenizer);
        if (args.has("--text")) {
            out.println(encode(tokenizer, args.require("--text")));
            return;
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            int lineNo = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lineNo++;
                out.println(encode(tokenizer, jsonString(line, lineNo)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read standard input: " + e.getMessage(), e);
        }
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

package io.ferret4j.examples.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import io.ferret4j.llm.tokenizer.PythonStrings;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * The Flickr30k Entities ground truth the reference's Flickr scorer reads: the subset's image ids
 * ({@code <subset>.txt}), each image's boxes per phrase id ({@code Annotations/<id>.xml}, merged into their
 * enclosing box as the scorer runs with {@code merge_boxes=True}), and each sentence's boxed phrases
 * ({@code Sentences/<id>.txt}, markup {@code [/EN#<id>/<type>[/<type>...] words]}; phrases whose id has no box are
 * dropped, and a sentence left with none is {@code null}).
 */
final class FlickrEntities {
    private final Map<String, Map<String, long[]>> boxes = new LinkedHashMap<>();
    private final Map<String, List<List<Phrase>>> sentences = new LinkedHashMap<>();

    /** A boxed phrase of a sentence: its words, id and types. */
    record Phrase(String phrase, String phraseId, List<String> types) {
    }

    private FlickrEntities() {
    }

    /** Loads {@code subset} ("test" or "val") of the Flickr30k Entities folder {@code root}. */
    static FlickrEntities load(Path root, String subset) {
        FlickrEntities data = new FlickrEntities();
        for (String line : lines(root.resolve(subset + ".txt"))) {
            String id = PythonStrings.strip(line);
            Map<String, long[]> merged = readBoxes(root.resolve("Annotations").resolve(id + ".xml"));
            data.boxes.put(id, merged);
            List<List<Phrase>> perSentence = new ArrayList<>();
            for (List<Phrase> phrases : readSentences(root.resolve("Sentences").resolve(id + ".txt"))) {
                List<Phrase> boxed = phrases.stream().filter(p -> merged.containsKey(p.phraseId())).toList();
                perSentence.add(boxed.isEmpty() ? null : boxed);
            }
            data.sentences.put(id, perSentence);
        }
        return data;
    }

    /** The boxed phrases of sentence {@code sentence} of image {@code imageId}, or {@code null} if it has none. */
    List<Phrase> phrases(String imageId, int sentence, String where) {
        List<List<Phrase>> all = sentences.get(imageId);
        if (all == null) {
            throw new IllegalArgumentException(where + ": image " + imageId + " is not in the Flickr30k Entities subset");
        }
        if (sentence < 0 || sentence >= all.size()) {
            throw new IllegalArgumentException(where + ": image " + imageId + " has " + all.size()
                    + " sentences, no sentence_id " + sentence);
        }
        return all.get(sentence);
    }

    /** The merged target box of a phrase id of an image. */
    long[] box(String imageId, String phraseId) {
        return boxes.get(imageId).get(phraseId);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** {@code get_sentence_data}: the phrases of each non-empty line, in order. */
    static List<List<Phrase>> readSentences(Path file) {
        List<List<Phrase>> out = new ArrayList<>();
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        for (String sentence : content.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1)) {
            if (!sentence.isEmpty()) {
                out.add(parseSentence(sentence));
            }
        }
        return out;
    }

    private static List<Phrase> parseSentence(String sentence) {
        List<String> ids = new ArrayList<>();
        List<List<String>> types = new ArrayList<>();
        List<String> phrases = new ArrayList<>();
        List<String> current = new ArrayList<>();
        boolean inPhrase = false;
        for (String token : PythonText.splitWhitespace(sentence)) {
            if (inPhrase) {
                if (token.endsWith("]")) {
                    inPhrase = false;
                    current.add(token.substring(0, token.length() - 1));
                    phrases.add(String.join(" ", current));
                    current.clear();
                } else {
                    current.add(token);
                }
            } else if (token.startsWith("[")) {
                inPhrase = true;
                String[] parts = token.split("/", -1);
                ids.add(parts.length > 1 ? PythonText.slice(parts[1], 3, Integer.MAX_VALUE) : "");
                types.add(List.of(parts).subList(Math.min(2, parts.length), parts.length));
            }
        }
        List<Phrase> out = new ArrayList<>();
        for (int i = 0; i < Math.min(phrases.size(), ids.size()); i++) {
            out.add(new Phrase(phrases.get(i), ids.get(i), types.get(i)));
        }
        return out;
    }

    /** {@code get_annotations(...)["boxes"]}, each id's boxes merged into their enclosing box. */
    private static Map<String, long[]> readBoxes(Path file) {
        Element root;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            root = factory.newDocumentBuilder().parse(file.toFile()).getDocumentElement();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalArgumentException(file + " is not valid XML: " + e.getMessage(), e);
        }
        Map<String, long[]> merged = new LinkedHashMap<>();
        for (Element object : children(root, "object")) {
            List<Element> bndbox = children(object, "bndbox");
            if (bndbox.isEmpty()) {
                continue;
            }
            long[] box = new long[4];
            String[] corners = {"xmin", "ymin", "xmax", "ymax"};
            for (int c = 0; c < 4; c++) {
                box[c] = integer(children(bndbox.get(0), corners[c]), file, corners[c]);
            }
            for (Element name : children(object, "name")) {
                merged.merge(name.getTextContent(), box, FlickrEntities::enclosing);
            }
        }
        return merged;
    }

    private static long[] enclosing(long[] a, long[] b) {
        return new long[] {Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])};
    }

    private static long integer(List<Element> elements, Path file, String tag) {
        OptionalLong v = elements.isEmpty() ? OptionalLong.empty() : PythonText.parseInt(elements.get(0).getTextContent());
        return v.orElseThrow(() -> new IllegalArgumentException(file + ": <" + tag + "> must be an integer, found "
                + (elements.isEmpty() ? "none" : "'" + elements.get(0).getTextContent() + "'")));
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                out.add(e);
            }
        }
        return out;
    }
}

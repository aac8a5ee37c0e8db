package dev.phi4ee.core.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phi4ee.core.testkit.Phi4TokenizerFiles;

/**
 * A small tokenizer.json of the Phi-4 shape for fast loader tests: the 256 byte tokens (id = byte value), the merges
 * he(256), ll(257), hell(258), hello(259), and the added specials {@code <|end|>} 260 and {@code <|user|>} 261.
 */
final class TinyTokenizerJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private TinyTokenizerJson() {}

    static ObjectNode tree() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", "1.0");
        ArrayNode added = root.putArray("added_tokens");
        added.add(addedToken(260, "<|end|>"));
        added.add(addedToken(261, "<|user|>"));
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        ObjectNode split = steps.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", Phi4TokenizerFiles.O200K_PATTERN);
        split.put("behavior", "Isolated");
        split.put("invert", false);
        ObjectNode byteLevel = steps.addObject();
        byteLevel.put("type", "ByteLevel");
        byteLevel.put("add_prefix_space", false);
        byteLevel.put("use_regex", false);
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "ByteLevel");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < 256; b++) {
            vocab.put(ByteLevelAlphabetForTests.token(b), b);
        }
        vocab.put("he", 256);
        vocab.put("ll", 257);
        vocab.put("hell", 258);
        vocab.put("hello", 259);
        vocab.put("<|end|>", 260);
        vocab.put("<|user|>", 261);
        ArrayNode merges = model.putArray("merges");
        merges.add("h e").add("l l").add("he ll").add("hell o");
        return root;
    }

    static ObjectNode addedToken(int id, String content) {
        ObjectNode t = MAPPER.createObjectNode();
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", false);
        t.put("special", true);
        return t;
    }

    static byte[] bytes(ObjectNode tree) {
        try {
            return MAPPER.writeValueAsBytes(tree);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The byte-level alphabet written independently of the main code, to cross-check it. */
    static final class ByteLevelAlphabetForTests {
        static String token(int b) {
            int next = 256;
            for (int x = 0; x < 256; x++) {
                boolean printable = (x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174 && x <= 255);
                int c = printable ? x : next++;
                if (x == b) {
                    return String.valueOf((char) c);
                }
            }
            throw new IllegalArgumentException();
        }
    }
}

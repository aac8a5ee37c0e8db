package dev.phi4ee.core.text;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.phi4ee.core.api.ModelFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams a Hugging Face {@code tokenizer.json} of the Phi-4 family (phi4mm-reference.md §6.1) and checks that this
 * implementation reproduces it exactly: BPE model over the byte-level alphabet, no normalizer, a {@code Split} regex
 * (the o200k one runs on a hand-written matcher, any other on java.util.regex) followed by
 * {@code ByteLevel(use_regex=false)}, a {@code ByteLevel} decoder, and merges that are the rank order of the vocabulary
 * ids (at most one merge per multi-byte token, results in ascending id order). Vocabulary entries that no merge
 * produces (names for unused ids) are kept for decoding only, as Hugging Face's BPE never emits them. Anything else is a
 * {@link ModelFormatException} naming the file and the field.
 */
final class TokenizerJsonReader {
    /**
     * Field-name canonicalisation and interning are off: the vocabulary has 200k distinct names, each read once, and
     * interning them dominated load time.
     */
    static final JsonFactory JSON = JsonFactory.builder()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();

    private static final Logger LOG = LoggerFactory.getLogger(TokenizerJsonReader.class);

    private final String file;

    private final VocabEntries vocab = new VocabEntries(1 << 18, 1 << 21);
    private final Map<String, Integer> otherVocab = new HashMap<>(); // entries outside the byte-level alphabet
    private int maxVocabId = -1;
    private byte[] mergeBytes = new byte[1 << 21]; // merges, byte-level decoded and joined: left bytes then right
    private int[] mergeStart = new int[(1 << 18) + 1];
    private int[] mergeSplit = new int[1 << 18]; // length of the left part
    private int merges;
    private int mergeBytesUsed;
    private Object addedTokens;
    private boolean sawModel;
    private boolean sawPreTokenizer;
    private boolean sawDecoder;
    private boolean sawVocab;
    private boolean sawMerges;
    private Pattern customSplit;
    private boolean splitDropsGaps;
    private boolean ignoreMerges;

    private TokenizerJsonReader(String file) {
        this.file = file;
    }

    /**
     * What a tokenizer needs: the BPE rank table, the added tokens with their effective ids, the split regex when it is
     * not the o200k one (null otherwise) and whether the text between its matches is dropped ({@code Removed} with
     * {@code invert: true}) rather than kept as pieces ({@code Isolated}), and the bytes of vocabulary entries that
     * only decode (id → bytes).
     */
    record Definition(
            BytePairEncoder bpe,
            List<AddedToken> addedTokens,
            Pattern customSplit,
            boolean splitDropsGaps,
            Map<Integer, byte[]> decodeOnly) {

        /** The same definition with other added tokens (tokenizer_config.json's flags applied). */
        Definition withAddedTokens(List<AddedToken> tokens) {
            return new Definition(bpe, tokens, customSplit, splitDropsGaps, decodeOnly);
        }
    }

    static Definition read(byte[] json, String file) {
        TokenizerJsonReader reader = new TokenizerJsonReader(file);
        try (JsonParser parser = JSON.createParser(json)) {
            reader.readRoot(parser);
        } catch (JsonProcessingException e) {
            throw reader.error("malformed JSON: " + e.getOriginalMessage() + " at " + location(e), e);
        } catch (IOException e) {
            throw reader.error("cannot be read: " + e.getMessage(), e);
        }
        return reader.build();
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null
                ? "unknown position"
                : "line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr();
    }

    private void readRoot(JsonParser p) throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            throw error("is empty");
        }
        expect(first, JsonToken.START_OBJECT, "(root)", "an object");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "model" -> readModel(p, value);
                case "added_tokens" -> addedTokens = JsonValues.read(p);
                case "normalizer" -> checkNormalizer(JsonValues.read(p));
                case "pre_tokenizer" -> checkPreTokenizer(JsonValues.read(p));
                case "decoder" -> checkDecoder(JsonValues.read(p));
                default -> p.skipChildren(); // version, truncation, padding, post_processor: no effect on ids
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw error("(root) is not a complete JSON object");
        }
        if (p.nextToken() != null) {
            throw error("has content after the top-level object");
        }
        if (!sawModel || !sawVocab || !sawMerges) {
            throw error(
                    !sawModel
                            ? "field model is missing"
                            : "field model." + (sawVocab ? "merges" : "vocab") + " is missing");
        }
        if (!sawPreTokenizer) {
            throw error("field pre_tokenizer is missing (the o200k Split pre-tokenizer is required)");
        }
        if (!sawDecoder) {
            throw error("field decoder is missing (a ByteLevel decoder is required)");
        }
    }

    private void readModel(JsonParser p, JsonToken value) throws IOException {
        expect(value, JsonToken.START_OBJECT, "model", "an object");
        sawModel = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "type" -> {
                    if (v != JsonToken.VALUE_STRING || !p.getText().equals("BPE")) {
                        throw error("field model.type is " + describe(p, v) + "; only \"BPE\" is supported");
                    }
                }
                case "vocab" -> readVocab(p, v);
                case "merges" -> readMerges(p, v);
                case "dropout" -> {
                    if (v != JsonToken.VALUE_NULL && p.getValueAsDouble(0) != 0.0) {
                        throw error("field model.dropout is " + describe(p, v) + "; BPE dropout is not supported");
                    }
                }
                case "continuing_subword_prefix", "end_of_word_suffix" -> {
                    if (v != JsonToken.VALUE_NULL
                            && !(v == JsonToken.VALUE_STRING && p.getText().isEmpty())) {
                        throw error("field model." + field + " is " + describe(p, v) + "; only null is supported");
                    }
                }
                case "ignore_merges" -> ignoreMerges = v == JsonToken.VALUE_TRUE;
                default -> p.skipChildren(); // unk_token, fuse_unk, byte_fallback: no effect here
            }
        }
    }

    private void readVocab(JsonParser p, JsonToken v) throws IOException {
        expect(v, JsonToken.START_OBJECT, "model.vocab", "an object of token → id");
        sawVocab = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String token = p.currentName();
            JsonToken idToken = p.nextToken();
            if (idToken != JsonToken.VALUE_NUMBER_INT) {
                throw error("field model.vocab[" + quote(token) + "] is " + describe(p, idToken)
                        + "; expected an integer id");
            }
            int id = p.getIntValue();
            if (id < 0) {
                throw error("field model.vocab[" + quote(token) + "] has negative id " + id);
            }
            if (token.isEmpty() || !vocab.addByteLevel(token, id)) {
                otherVocab.put(token, id);
            }
            maxVocabId = Math.max(maxVocabId, id);
        }
    }

    /** Reads merges without a String per merge: the characters are decoded to bytes straight from the parser. */
    private void readMerges(JsonParser p, JsonToken v) throws IOException {
        expect(v, JsonToken.START_ARRAY, "model.merges", "an array");
        sawMerges = true;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == JsonToken.VALUE_STRING) {
                char[] chars = p.getTextCharacters();
                int offset = p.getTextOffset();
                int length = p.getTextLength();
                int space = -1;
                for (int i = 0; i < length; i++) {
                    if (chars[offset + i] == ' ') {
                        if (space >= 0) {
                            space = -2;
                            break;
                        }
                        space = i;
                    }
                }
                if (space <= 0 || space == length - 1) {
                    throw error("field model.merges[" + merges + "] is " + quote(p.getText())
                            + "; expected two tokens separated by one space");
                }
                beginMerge();
                appendMergePart(chars, offset, space);
                mergeSplit[merges] = mergeBytesUsed - mergeStart[merges];
                appendMergePart(chars, offset + space + 1, length - space - 1);
            } else if (t == JsonToken.START_ARRAY) {
                beginMerge();
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    throw error("field model.merges[" + merges + "] is not a pair of strings");
                }
                appendMergePart(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                mergeSplit[merges] = mergeBytesUsed - mergeStart[merges];
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    throw error("field model.merges[" + merges + "] is not a pair of strings");
                }
                appendMergePart(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                if (p.nextToken() != JsonToken.END_ARRAY) {
                    throw error("field model.merges[" + merges + "] is not a pair of strings");
                }
            } else {
                throw error("field model.merges[" + merges + "] is " + describe(p, t)
                        + "; expected \"a b\" or [\"a\", \"b\"]");
            }
            merges++;
            mergeStart[merges] = mergeBytesUsed;
        }
    }

    private void beginMerge() {
        if (merges + 1 >= mergeSplit.length) {
            mergeSplit = Arrays.copyOf(mergeSplit, mergeSplit.length * 2);
            mergeStart = Arrays.copyOf(mergeStart, mergeSplit.length + 1);
        }
        mergeStart[merges] = mergeBytesUsed;
    }

    private void appendMergePart(char[] chars, int offset, int length) {
        if (length == 0) {
            throw error("field model.merges[" + merges + "] has an empty token");
        }
        if (mergeBytesUsed + length > mergeBytes.length) {
            mergeBytes = Arrays.copyOf(mergeBytes, Math.max(mergeBytesUsed + length, mergeBytes.length * 2));
        }
        for (int i = 0; i < length; i++) {
            int b = ByteLevelAlphabet.byteOf(chars[offset + i]);
            if (b < 0) {
                throw error("field model.merges[" + merges + "] has a character outside the byte-level alphabet"
                        + " (U+" + String.format("%04X", (int) chars[offset + i]) + ")");
            }
            mergeBytes[mergeBytesUsed++] = (byte) b;
        }
    }

    private void checkNormalizer(Object normalizer) {
        if (normalizer != null) {
            throw error("field normalizer is " + JsonValues.describe(normalizer) + "; only null is supported (the"
                    + " Phi-4 family has no normalizer and others would change the ids)");
        }
    }

    private void checkPreTokenizer(Object pre) {
        sawPreTokenizer = true;
        Object steps = "Sequence".equals(JsonValues.get(pre, "type")) ? JsonValues.get(pre, "pretokenizers") : pre;
        if (!(steps instanceof List<?> list)
                || list.size() != 2
                || !"Split".equals(JsonValues.get(list.get(0), "type"))
                || !"ByteLevel".equals(JsonValues.get(list.get(1), "type"))) {
            throw error("field pre_tokenizer is " + JsonValues.describe(pre)
                    + "; expected Sequence[Split(o200k regex), ByteLevel(use_regex=false)]");
        }
        Object split = list.get(0);
        Object pattern = JsonValues.get(JsonValues.get(split, "pattern"), "Regex");
        if (!(pattern instanceof String regex)) {
            throw error("field pre_tokenizer.pretokenizers[0].pattern.Regex is "
                    + (pattern == null ? "missing" : JsonValues.describe(pattern)) + "; expected a regex string");
        }
        if (!O200kPreTokenizer.PATTERN.equals(regex)) {
            // §6.1 marks the tail of the regex [unverified]: rather than refuse a real file whose spelling differs,
            // run its regex with java.util.regex (what jtokkit does for o200k), and say so.
            try {
                customSplit = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
            } catch (PatternSyntaxException e) {
                throw error("field pre_tokenizer.pretokenizers[0].pattern.Regex is not a regex java.util.regex"
                        + " accepts: " + e.getDescription());
            }
            LOG.warn(
                    "{}: the pre-tokenizer regex is not the o200k_base one; splitting with java.util.regex (slower,"
                            + " parity with Hugging Face's Oniguruma engine not verified): {}",
                    file,
                    regex.length() > 200 ? regex.substring(0, 200) + "…" : regex);
        }
        Object behavior = JsonValues.get(split, "behavior");
        Object invert = JsonValues.get(split, "invert");
        boolean inverted = Boolean.TRUE.equals(invert);
        if ("Removed".equals(behavior) && inverted) {
            // The matches are the pieces and the text between them is dropped (Hugging Face's Split with Invert). The
            // o200k regex matches at every position (letters, digits, whitespace and everything else each start an
            // alternative), so nothing lies between its matches and this equals Isolated: the hand-written matcher,
            // used only for the exact o200k string, serves both. Another regex runs on java.util.regex, which drops
            // the text between matches itself.
            splitDropsGaps = customSplit != null;
        } else if (!"Isolated".equals(behavior) || inverted) {
            throw error("field pre_tokenizer.pretokenizers[0] has behavior " + JsonValues.describe(behavior)
                    + " and invert " + JsonValues.describe(invert) + "; only Isolated with invert false, or Removed"
                    + " with invert true, are supported");
        }
        Object byteLevel = list.get(1);
        // Hugging Face's ByteLevel defaults to use_regex true (the GPT-2 regex on top of the split).
        if (!Boolean.FALSE.equals(JsonValues.get(byteLevel, "use_regex"))
                || Boolean.TRUE.equals(JsonValues.get(byteLevel, "add_prefix_space"))) {
            throw error("field pre_tokenizer.pretokenizers[1] must be ByteLevel with use_regex false and"
                    + " add_prefix_space false");
        }
    }

    private void checkDecoder(Object decoder) {
        sawDecoder = true;
        if (!"ByteLevel".equals(JsonValues.get(decoder, "type"))) {
            throw error("field decoder is " + JsonValues.describe(decoder) + "; only ByteLevel is supported");
        }
    }

    private Definition build() {
        boolean[] isAdded = new boolean[vocab.count];
        List<AddedToken> added = addedTokens(isAdded);
        int idLimit = maxVocabId + 1;
        BytePairEncoder encoder = encoder(idLimit, isAdded);
        for (int b = 0; b < 256; b++) {
            if (encoder.byteToken(b) < 0) {
                throw error(
                        "field model.vocab has no token for byte " + b + " (a byte-level vocabulary needs all 256)");
            }
        }
        boolean[] produced = checkMerges(encoder, idLimit);
        // Entries that no merge produces (names for unused ids): Hugging Face's BPE starts from single bytes and only
        // joins listed merges, so it never emits them; decoding still maps them to their text. They must leave the
        // rank table, where tiktoken-style whole-piece lookups and pair merges would find them.
        Map<Integer, byte[]> decodeOnly = new HashMap<>();
        boolean[] skip = isAdded.clone();
        for (int i = 0; i < vocab.count; i++) {
            if (!isAdded[i] && vocab.length(i) > 1 && !produced[vocab.ids[i]]) {
                skip[i] = true;
                decodeOnly.put(vocab.ids[i], Arrays.copyOfRange(vocab.bytes, vocab.start[i], vocab.start[i + 1]));
            }
        }
        // Names outside the byte-level alphabet: Hugging Face's ByteLevel decoder emits their UTF-8 as is.
        for (Map.Entry<String, Integer> e : otherVocab.entrySet()) {
            if (encoder.isToken(e.getValue()) || decodeOnly.containsKey(e.getValue())) {
                throw error("field model.vocab: id " + e.getValue() + " is given to two tokens");
            }
            decodeOnly.put(e.getValue(), e.getKey().getBytes(StandardCharsets.UTF_8));
        }
        if (!decodeOnly.isEmpty()) {
            if (ignoreMerges) {
                throw error("field model.ignore_merges is true and model.vocab has " + decodeOnly.size()
                        + " entries that no merge produces (e.g. id "
                        + decodeOnly.keySet().iterator().next()
                        + "); Hugging Face would emit them for a whole matching piece, which is not supported");
            }
            encoder = encoder(idLimit, skip);
        }
        for (AddedToken t : added) {
            if (encoder.isToken(t.id()) || decodeOnly.containsKey(t.id())) {
                throw error("field added_tokens: " + quote(t.content()) + " has id " + t.id()
                        + ", which model.vocab gives to another token");
            }
        }
        return new Definition(encoder, added, customSplit, splitDropsGaps, decodeOnly);
    }

    private BytePairEncoder encoder(int idLimit, boolean[] skip) {
        try {
            return new BytePairEncoder(idLimit, vocab, skip);
        } catch (IllegalArgumentException e) {
            throw error("field model.vocab: " + e.getMessage());
        }
    }

    /**
     * The merges must be the rank order of the ids, so that Hugging Face's merge-priority BPE and tiktoken's
     * rank BPE (which this implementation runs) give the same ids: each merge joins two tokens that are single bytes
     * or produced by a merge, and the results are in strictly ascending id order (so no token has two merges).
     * Returns which ids a merge produces.
     */
    private boolean[] checkMerges(BytePairEncoder encoder, int idLimit) {
        boolean[] produced = new boolean[idLimit];
        int[] parts = new int[2 * merges];
        int previous = -1;
        for (int i = 0; i < merges; i++) {
            int from = mergeStart[i];
            int split = from + mergeSplit[i];
            int to = mergeStart[i + 1];
            parts[2 * i] = lookup(encoder, from, split);
            parts[2 * i + 1] = lookup(encoder, split, to);
            if (parts[2 * i] < 0 || parts[2 * i + 1] < 0) {
                throw error("field model.merges[" + i + "] " + mergeText(i) + " joins a token that is not in"
                        + " model.vocab");
            }
            int result = lookup(encoder, from, to);
            if (result < 0) {
                throw error("field model.merges[" + i + "] " + mergeText(i) + " produces a token that is not in"
                        + " model.vocab");
            }
            if (result <= previous) {
                throw error("field model.merges[" + i + "] produces id " + result + " after id " + previous
                        + "; only merges in ascending rank (id) order, as converted from tiktoken, are supported");
            }
            produced[result] = true;
            previous = result;
        }
        for (int i = 0; i < parts.length; i++) {
            int part = parts[i];
            if (!produced[part] && encoder.tokenEnd(part) - encoder.tokenStart(part) > 1) {
                throw error("field model.merges[" + i / 2 + "] " + mergeText(i / 2) + " joins a token that no merge"
                        + " produces, so Hugging Face never applies it; such a vocabulary is not supported");
            }
        }
        return produced;
    }

    private String mergeText(int i) {
        String left = new String(mergeBytes, mergeStart[i], mergeSplit[i], StandardCharsets.UTF_8);
        String right = new String(
                mergeBytes,
                mergeStart[i] + mergeSplit[i],
                mergeStart[i + 1] - mergeStart[i] - mergeSplit[i],
                StandardCharsets.UTF_8);
        return quote(left + " " + right);
    }

    private int lookup(BytePairEncoder encoder, int from, int to) {
        return encoder.lookup(mergeBytes, from, to, BytePairEncoder.hash(mergeBytes, from, to));
    }

    /**
     * Added tokens with the id Hugging Face tokenizers gives them: the vocabulary's id when the content is in
     * model.vocab, else the next free id; a declared id that disagrees is an error rather than a silent shift.
     */
    private List<AddedToken> addedTokens(boolean[] isAdded) {
        List<AddedToken> result = new ArrayList<>();
        if (addedTokens == null) {
            return result;
        }
        if (!(addedTokens instanceof List<?> tokens)) {
            throw error("field added_tokens is " + JsonValues.describe(addedTokens) + "; expected an array");
        }
        int vocabSize = vocab.count + otherVocab.size(); // Hugging Face's BPE vocab size: the number of entries
        Map<String, Integer> inVocab = addedTokensInVocab(tokens, isAdded);
        Map<String, Integer> seen = new HashMap<>();
        int maxAdded = -1;
        for (int i = 0; i < tokens.size(); i++) {
            Object t = tokens.get(i);
            String where = "field added_tokens[" + i + "]";
            if (!(JsonValues.get(t, "id") instanceof Integer declared)
                    || !(JsonValues.get(t, "content") instanceof String content)) {
                throw error(where + " needs an integer id and a string content");
            }
            if (content.isEmpty()) {
                throw error(where + " has an empty content");
            }
            if (seen.containsKey(content)) {
                continue;
            }
            Integer vocabId = inVocab.get(content);
            int effective;
            if (vocabId != null) {
                effective = vocabId;
            } else {
                effective = maxAdded < 0 ? vocabSize : (maxAdded >= vocabSize ? maxAdded + 1 : vocabSize);
            }
            if (effective != declared) {
                throw error(where + " " + quote(content) + " declares id " + declared
                        + " but would get id " + effective
                        + (vocabId != null ? " from model.vocab" : " because it is not in model.vocab"));
            }
            seen.put(content, effective);
            maxAdded = Math.max(maxAdded, effective);
            result.add(addedToken(effective, content, t, where, this::error));
        }
        return result;
    }

    /**
     * Finds the vocabulary entries that are added tokens (Phi-4 lists its specials in both places), marking them in
     * {@code isAdded}; returns content → vocabulary id. One pass over the entries' hashes, no per-entry strings.
     */
    private Map<String, Integer> addedTokensInVocab(List<?> tokens, boolean[] isAdded) {
        Map<String, Integer> found = new HashMap<>();
        VocabEntries contents = new VocabEntries(tokens.size(), 64 * tokens.size());
        List<String> names = new ArrayList<>();
        for (Object t : tokens) {
            if (!(JsonValues.get(t, "content") instanceof String content)) {
                continue; // reported with its index by the caller
            }
            Integer other = otherVocab.remove(content);
            if (other != null) {
                found.put(content, other);
            } else if (!content.isEmpty() && contents.addByteLevel(content, names.size())) {
                names.add(content);
            }
        }
        long[] sorted = Arrays.copyOf(contents.hashes, contents.count);
        Arrays.sort(sorted);
        for (int i = 0; i < vocab.count; i++) {
            if (Arrays.binarySearch(sorted, vocab.hashes[i]) < 0) {
                continue;
            }
            for (int k = 0; k < contents.count; k++) {
                if (contents.hashes[k] == vocab.hashes[i]
                        && Arrays.equals(
                                contents.bytes,
                                contents.start[k],
                                contents.start[k + 1],
                                vocab.bytes,
                                vocab.start[i],
                                vocab.start[i + 1])) {
                    isAdded[i] = true;
                    found.put(names.get(k), vocab.ids[i]);
                }
            }
        }
        return found;
    }

    /**
     * An added token with the flags of {@code node} (tokenizer.json's {@code added_tokens[i]} or tokenizer_config.json's
     * {@code added_tokens_decoder[id]}); a missing flag is false, a flag that is not a boolean is an error.
     */
    static AddedToken addedToken(
            int id, String content, Object node, String where, Function<String, ModelFormatException> error) {
        boolean[] flags = new boolean[FLAGS.size()];
        for (int f = 0; f < flags.length; f++) {
            Object value = JsonValues.get(node, FLAGS.get(f));
            if (value != null && !(value instanceof Boolean)) {
                throw error.apply(
                        where + "." + FLAGS.get(f) + " is " + JsonValues.describe(value) + "; expected true or false");
            }
            flags[f] = Boolean.TRUE.equals(value);
        }
        return new AddedToken(id, content, flags[0], flags[1], flags[2], flags[3], flags[4]);
    }

    private static final List<String> FLAGS = List.of("special", "lstrip", "rstrip", "single_word", "normalized");

    private void expect(JsonToken actual, JsonToken expected, String field, String what) {
        if (actual != expected) {
            throw error("field " + field + " is " + (actual == null ? "missing (truncated file)" : actual)
                    + "; expected " + what);
        }
    }

    private static String describe(JsonParser p, JsonToken t) throws IOException {
        if (t == null) {
            return "missing";
        }
        return switch (t) {
            case VALUE_STRING -> quote(p.getText());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> p.getText();
            default -> "a JSON " + t.name().toLowerCase(java.util.Locale.ROOT).replace("start_", "");
        };
    }

    private static String quote(String s) {
        return "\"" + (s.length() > 80 ? s.substring(0, 80) + "…" : s) + "\"";
    }

    private ModelFormatException error(String message) {
        return new ModelFormatException(file + ": " + message);
    }

    private ModelFormatException error(String message, Throwable cause) {
        return new ModelFormatException(file + ": " + message, cause);
    }
}

package dev.phi4ee.core.text;

import com.fasterxml.jackson.core.JsonParser;
import dev.phi4ee.core.api.ModelFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Phi-4 tokenizer (phi4mm-reference.md §6): byte-level BPE equal to tiktoken's {@code o200k_base} plus Phi-4's
 * added special tokens, loaded from the model directory's {@code tokenizer.json}. Immutable and thread-safe; encode
 * and decode allocate only per call.
 *
 * <p>User text always goes through {@link #encodeOrdinary}, where special-token strings are plain text (§6.3);
 * {@link #encodeWithSpecialTokens} is for trusted template text only.
 */
public final class Phi4Tokenizer {
    private final BytePairEncoder bpe;
    private final AddedTokenMatcher addedMatcher;
    private final Map<String, Integer> addedIds = new HashMap<>();
    private final Map<Integer, AddedToken> addedById = new HashMap<>();
    private final byte[][] fixedBytes; // bytes of ids outside BPE (added tokens, decode-only entries), null elsewhere
    private final boolean[] special;
    private final int vocabSize;
    private final OptionalInt eosTokenId;
    private final Pattern customSplit; // null: the o200k regex, run by O200kPreTokenizer
    private final boolean splitDropsGaps;

    private Phi4Tokenizer(TokenizerJsonReader.Definition definition, String eosToken) {
        bpe = definition.bpe();
        customSplit = definition.customSplit();
        splitDropsGaps = definition.splitDropsGaps();
        List<AddedToken> added = definition.addedTokens();
        int limit = bpe.idLimit();
        for (AddedToken t : added) {
            limit = Math.max(limit, t.id() + 1);
        }
        vocabSize = limit;
        fixedBytes = new byte[limit][];
        special = new boolean[limit];
        definition.decodeOnly().forEach((id, bytes) -> fixedBytes[id] = bytes);
        for (AddedToken t : added) {
            addedIds.put(t.content(), t.id());
            addedById.put(t.id(), t);
            // Hugging Face decodes an added token's content through the ByteLevel decoder like any token: characters
            // of the byte-level alphabet become their bytes, and a content with any other character stays UTF-8.
            byte[] byteLevel = ByteLevelAlphabet.toBytes(t.content());
            fixedBytes[t.id()] = byteLevel != null ? byteLevel : t.content().getBytes(StandardCharsets.UTF_8);
            special[t.id()] = t.special();
        }
        addedMatcher = new AddedTokenMatcher(added);
        eosTokenId = eosToken == null ? OptionalInt.empty() : tokenId(eosToken);
    }

    /**
     * Loads {@code tokenizer.json} and, when present, the sibling {@code tokenizer_config.json}.
     *
     * @throws ModelFormatException when a file is missing, malformed, or describes a tokenizer this implementation
     *     cannot reproduce exactly; the message names the file and the field
     */
    public static Phi4Tokenizer load(Path tokenizerJson) {
        byte[] json = readFile(tokenizerJson);
        Path configFile = tokenizerJson.resolveSibling("tokenizer_config.json");
        byte[] config = Files.isRegularFile(configFile) ? readFile(configFile) : null;
        return parse(json, tokenizerJson.toString(), config, configFile.toString());
    }

    /** Builds a tokenizer from file contents; {@code config} may be null. The names are used in error messages. */
    static Phi4Tokenizer parse(byte[] tokenizerJson, String jsonName, byte[] config, String configName) {
        Object configRoot = config == null ? null : readConfig(config, configName);
        String eosToken = configRoot == null ? null : eosToken(configRoot, configName);
        TokenizerJsonReader.Definition definition = TokenizerJsonReader.read(tokenizerJson, jsonName);
        if (configRoot != null) {
            definition = definition.withAddedTokens(
                    applyAddedTokensDecoder(definition.addedTokens(), configRoot, jsonName, configName));
        }
        Phi4Tokenizer tokenizer = new Phi4Tokenizer(definition, eosToken);
        if (eosToken != null && tokenizer.eosTokenId.isEmpty()) {
            throw new ModelFormatException(configName + ": field eos_token " + eosToken + " is not a known token");
        }
        return tokenizer;
    }

    /** Encodes text in which special-token strings are plain text (all user and system content). */
    public int[] encodeOrdinary(String text) {
        IntArrayBuilder out = new IntArrayBuilder(text.length() / 3 + 8);
        encodeOrdinary(text, 0, text.length(), out, new BytePairEncoder.Scratch());
        return out.toArray();
    }

    /**
     * Encodes template text as Hugging Face's {@code encode} does: every added token (e.g. {@code <|end|>}) found in it
     * becomes its id, honouring its {@code lstrip}, {@code rstrip}, {@code single_word} and {@code normalized} flags
     * ({@link AddedTokenMatcher}); with the published Phi-4 flags {@code "<|user|> Hi"} gives {@code <|user|>},
     * {@code Hi}. Never for text typed by a user, which must not become control tokens.
     */
    public int[] encodeWithSpecialTokens(String text) {
        IntArrayBuilder out = new IntArrayBuilder(text.length() / 3 + 8);
        BytePairEncoder.Scratch scratch = new BytePairEncoder.Scratch();
        addedMatcher.split(text, 0, text.length(), new AddedTokenMatcher.Sink() {
            @Override
            public void text(int from, int to) {
                encodeOrdinary(text, from, to, out, scratch);
            }

            @Override
            public void token(int id) {
                out.add(id);
            }
        });
        return out.toArray();
    }

    /** Appends the ids of {@code text[from, to)} encoded as ordinary text. */
    void encodeOrdinary(String text, int from, int to, IntArrayBuilder out, BytePairEncoder.Scratch scratch) {
        if (customSplit == null) {
            int i = from;
            while (i < to) {
                int end = O200kPreTokenizer.pieceEnd(text, i, to);
                encodePiece(text, i, end, out, scratch);
                i = end;
            }
            return;
        }
        // Split(behavior=Isolated): matches and the gaps between them are pieces; the segment is its own input.
        // Split(behavior=Removed, invert=true): only the matches are pieces.
        Matcher m = customSplit.matcher(text).region(from, to);
        int i = from;
        while (m.find()) {
            if (m.end() == m.start()) {
                continue;
            }
            if (m.start() > i && !splitDropsGaps) {
                encodePiece(text, i, m.start(), out, scratch);
            }
            encodePiece(text, m.start(), m.end(), out, scratch);
            i = m.end();
        }
        if (i < to && !splitDropsGaps) {
            encodePiece(text, i, to, out, scratch);
        }
    }

    /** UTF-8-encodes one piece into the scratch buffer, hashing as it goes, and runs BPE on it. */
    private void encodePiece(String text, int i, int end, IntArrayBuilder out, BytePairEncoder.Scratch scratch) {
        byte[] buf = scratch.utf8((end - i) * 3);
        int length = 0;
        long hash = BytePairEncoder.HASH_SEED;
        for (int j = i; j < end; j++) {
            int c = text.charAt(j);
            if (c < 0x80) {
                buf[length++] = (byte) c;
                hash = (hash ^ c) * BytePairEncoder.HASH_PRIME;
                continue;
            }
            int start = length;
            if (c < 0x800) {
                buf[length++] = (byte) (0xC0 | (c >> 6));
                buf[length++] = (byte) (0x80 | (c & 0x3F));
            } else if (!Character.isSurrogate((char) c)) {
                buf[length++] = (byte) (0xE0 | (c >> 12));
                buf[length++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                buf[length++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate((char) c)
                    && j + 1 < end
                    && Character.isLowSurrogate(text.charAt(j + 1))) {
                int cp = Character.toCodePoint((char) c, text.charAt(++j));
                buf[length++] = (byte) (0xF0 | (cp >> 18));
                buf[length++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                buf[length++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                buf[length++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                buf[length++] = '?'; // a lone surrogate, replaced as String.getBytes(UTF_8) does
            }
            for (int k = start; k < length; k++) {
                hash = (hash ^ (buf[k] & 0xFF)) * BytePairEncoder.HASH_PRIME;
            }
        }
        bpe.encodePiece(buf, length, hash, out, scratch);
    }

    /**
     * Decodes ids to text; each ill-formed UTF-8 subpart becomes one U+FFFD. Ids that name no token (unused
     * rows of the embedding) decode to nothing; vocabulary entries that no merge produces decode to their text. All as
     * in Hugging Face tokenizers.
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        int length = 0;
        for (int id : ids) {
            length += byteLength(id, skipSpecialTokens);
        }
        byte[] out = new byte[length];
        int at = 0;
        for (int id : ids) {
            at = copyBytes(id, skipSpecialTokens, out, at);
        }
        return Utf8.decode(out, 0, out.length);
    }

    /** A decoder for generated ids that emits text as soon as it is complete UTF-8. Not thread-safe. */
    public StreamingDetokenizer newStream(boolean skipSpecialTokens) {
        return new StreamingDetokenizer(this, skipSpecialTokens);
    }

    /**
     * The id of an added token ({@code <|end|>}) or of the BPE token whose bytes are the UTF-8 of {@code tokenText}
     * ({@code " hello"}), if there is one.
     */
    public OptionalInt tokenId(String tokenText) {
        Integer added = addedIds.get(tokenText);
        if (added != null) {
            return OptionalInt.of(added);
        }
        byte[] bytes = tokenText.getBytes(StandardCharsets.UTF_8);
        int id = bytes.length == 0
                ? -1
                : bpe.lookup(bytes, 0, bytes.length, BytePairEncoder.hash(bytes, 0, bytes.length));
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /**
     * Whether {@code id} is an added token marked {@code special} (skipped by {@code skipSpecialTokens}, as Hugging
     * Face's {@code skip_special_tokens=True}; Phi-4's tool tokens are not special and stay in the text).
     */
    public boolean isSpecial(int id) {
        return id >= 0 && id < vocabSize && special[id];
    }

    /**
     * The bytes of a plain token (a BPE token, or a vocabulary entry outside the merges): what the model writes when it
     * generates {@code id}. Null for added tokens (control tokens, placeholders) and ids without a token.
     */
    public byte[] plainTokenBytes(int id) {
        if (id < 0 || id >= vocabSize || addedById.containsKey(id)) {
            return null;
        }
        int n = byteLength(id, false);
        if (n == 0) {
            return null;
        }
        byte[] out = new byte[n];
        copyBytes(id, false, out, 0);
        return out;
    }

    /** The id of the added token whose content is {@code content}, if there is one. */
    public OptionalInt addedTokenId(String content) {
        Integer id = addedIds.get(content);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The added token with this id and its flags, or null. */
    AddedToken addedToken(int id) {
        return addedById.get(id);
    }

    /** One more than the highest token id (BPE or added); ids up to the model's embedding rows may be unused. */
    public int vocabSize() {
        return vocabSize;
    }

    /** The id of {@code tokenizer_config.json}'s {@code eos_token}, when the config was present. */
    public OptionalInt eosTokenId() {
        return eosTokenId;
    }

    int byteLength(int id, boolean skipSpecialTokens) {
        if (id < 0 || id >= vocabSize) {
            return 0;
        }
        if (fixedBytes[id] != null) {
            return skipSpecialTokens && special[id] ? 0 : fixedBytes[id].length;
        }
        return id < bpe.idLimit() ? bpe.tokenEnd(id) - bpe.tokenStart(id) : 0;
    }

    /** Copies the bytes of {@code id} into {@code out} at {@code at} (room must exist); returns the new offset. */
    int copyBytes(int id, boolean skipSpecialTokens, byte[] out, int at) {
        if (id < 0 || id >= vocabSize) {
            return at;
        }
        byte[] added = fixedBytes[id];
        if (added != null) {
            if (skipSpecialTokens && special[id]) {
                return at;
            }
            System.arraycopy(added, 0, out, at, added.length);
            return at + added.length;
        }
        if (id >= bpe.idLimit()) {
            return at;
        }
        int s = bpe.tokenStart(id);
        int n = bpe.tokenEnd(id) - s;
        System.arraycopy(bpe.tokenBytes(), s, out, at, n);
        return at + n;
    }

    /**
     * Reads tokenizer_config.json and checks its settings that affect ids. Phi-4 adds neither BOS nor EOS (§6.1), and
     * this tokenizer never does, so a config asking for them is refused rather than ignored.
     */
    private static Object readConfig(byte[] config, String name) {
        Object root;
        try (JsonParser parser = TokenizerJsonReader.JSON.createParser(config)) {
            parser.nextToken();
            root = JsonValues.read(parser);
        } catch (IOException e) {
            throw new ModelFormatException(name + ": malformed JSON: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?>)) {
            throw new ModelFormatException(name + ": expected a JSON object at the top level");
        }
        for (String flag : List.of("add_bos_token", "add_eos_token")) {
            if (Boolean.TRUE.equals(JsonValues.get(root, flag))) {
                throw new ModelFormatException(name + ": field " + flag + " is true; the Phi-4 format adds no"
                        + " BOS/EOS (phi4mm-reference.md §6.1) and this tokenizer does not support it");
            }
        }
        return root;
    }

    private static String eosToken(Object root, String name) {
        Object eos = JsonValues.get(root, "eos_token");
        if (eos instanceof Map<?, ?>) {
            eos = JsonValues.get(eos, "content"); // {"content": "<|endoftext|>", ...}
        }
        if (eos == null) {
            return null;
        }
        if (!(eos instanceof String text)) {
            throw new ModelFormatException(
                    name + ": field eos_token is " + JsonValues.describe(eos) + "; expected a string");
        }
        return text;
    }

    /**
     * Applies tokenizer_config.json's {@code added_tokens_decoder}: transformers re-adds every entry whose flags differ
     * from tokenizer.json's, so the config's flags win. An entry for a token that tokenizer.json does not define at
     * that id is refused (transformers would add a token, possibly at another id).
     */
    private static List<AddedToken> applyAddedTokensDecoder(
            List<AddedToken> tokens, Object config, String jsonName, String configName) {
        Object decoder = JsonValues.get(config, "added_tokens_decoder");
        if (decoder == null) {
            return tokens;
        }
        if (!(decoder instanceof Map<?, ?> entries)) {
            throw new ModelFormatException(configName + ": field added_tokens_decoder is "
                    + JsonValues.describe(decoder) + "; expected an object of id → token");
        }
        Map<Integer, AddedToken> byId = new java.util.LinkedHashMap<>();
        for (AddedToken t : tokens) {
            byId.put(t.id(), t);
        }
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            String where = "field added_tokens_decoder[\"" + e.getKey() + "\"]";
            Integer id = parseId((String) e.getKey());
            AddedToken known = id == null ? null : byId.get(id);
            Object content = JsonValues.get(e.getValue(), "content");
            if (known == null || !known.content().equals(content)) {
                throw new ModelFormatException(configName + ": " + where + " (" + JsonValues.describe(content)
                        + ") is not the added token of " + jsonName + " with that id");
            }
            byId.put(
                    id,
                    TokenizerJsonReader.addedToken(
                            id,
                            known.content(),
                            e.getValue(),
                            where,
                            message -> new ModelFormatException(configName + ": " + message)));
        }
        return List.copyOf(byId.values());
    }

    private static Integer parseId(String key) {
        try {
            return Integer.valueOf(key);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static byte[] readFile(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file + ": file not found", e);
        } catch (IOException e) {
            throw new ModelFormatException(file + ": cannot be read: " + e.getMessage(), e);
        }
    }
}

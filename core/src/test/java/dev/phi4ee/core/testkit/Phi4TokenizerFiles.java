package dev.phi4ee.core.testkit;

import dev.phi4ee.core.text.Phi4Tokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Phi-4 family {@code tokenizer.json} and {@code tokenizer_config.json} (phi4mm-reference.md §6) into a
 * model directory, built from tiktoken's {@code o200k_base} ranks bundled in jtokkit's jar plus Phi-4's special tokens
 * at their real ids (§6.2) with the published added-token flags (§6.1: {@code rstrip} on the chat-format tokens, the tool
 * tokens not {@code special}; see {@link #isRstrip}, {@link #isSpecial}), in both files as transformers writes them.
 * Nothing is downloaded; the bytes are generated once per JVM and cached.
 *
 * <p>Merges are derived the way tiktoken-to-Hugging-Face converters do it: for each multi-byte token, byte-level BPE
 * restricted to ranks below the token's own rank ends in exactly two parts, and those two parts are its merge. This
 * gives one merge per non-byte token (199,742, as in the real file).
 */
public final class Phi4TokenizerFiles {
    /** Number of o200k_base mergeable ranks (ids 0..199,997). */
    public static final int O200K_RANKS = 199_998;

    public static final int ENDOFTEXT_ID = 199_999;
    public static final int IMAGE_PLACEHOLDER_ID = 200_010;
    public static final int AUDIO_PLACEHOLDER_ID = 200_011;
    public static final int END_ID = 200_020;

    /** The o200k_base pre-tokenizer regex (tiktoken), as stored in the {@code Split} pre-tokenizer. */
    public static final String O200K_PATTERN = String.join(
            "|",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            "\\p{N}{1,3}",
            " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*",
            "\\s*[\\r\\n]+",
            "\\s+(?!\\S)",
            "\\s+");

    /** Phi-4's added tokens and their ids (§6.2), in id order; {@link #isSpecial} says which are {@code special}. */
    public static final Map<String, Integer> SPECIAL_TOKENS = specialTokens();

    /** First and last id of the chat-format tokens {@code <|assistant|>} … {@code <|tag|>} (published rstrip). */
    public static final int FIRST_RSTRIP_ID = 200_019;

    public static final int LAST_RSTRIP_ID = 200_028;

    /** First and last id of the tool tokens {@code <|tool|>} … {@code <|tool_response|>} (published non-special). */
    public static final int FIRST_TOOL_ID = 200_023;

    public static final int LAST_TOOL_ID = 200_027;

    /** The Phi-4 chat template (§6.3) as a Jinja expression, as stored in tokenizer_config.json. */
    public static final String CHAT_TEMPLATE = "{% for message in messages %}"
            + "{% if message['role'] == 'system' and 'tools' in message and message['tools'] is not none %}"
            + "{{ '<|' + message['role'] + '|>' + message['content'] + '<|tool|>' + message['tools'] + '<|/tool|>'"
            + " + '<|end|>' }}"
            + "{% else %}{{ '<|' + message['role'] + '|>' + message['content'] + '<|end|>' }}{% endif %}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% else %}{{ eos_token }}{% endif %}";

    /**
     * The published {@code rstrip} flag of an added token (§6.1, the model's tokenizer_config.json
     * {@code added_tokens_decoder}): true for 200019–200028, false for the others. {@code lstrip},
     * {@code single_word} and {@code normalized} are false for all.
     */
    public static boolean isRstrip(int id) {
        return id >= FIRST_RSTRIP_ID && id <= LAST_RSTRIP_ID;
    }

    /** The published {@code special} flag (§6.1): false for the tool tokens 200023–200027, true for the others. */
    public static boolean isSpecial(int id) {
        return !(id >= FIRST_TOOL_ID && id <= LAST_TOOL_ID);
    }

    private static final String RESOURCE = "/com/knuddels/jtokkit/o200k_base.tiktoken";

    private static volatile Generated generated;
    private static volatile Phi4Tokenizer tokenizer;

    private Phi4TokenizerFiles() {}

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code modelDir} (created if absent). */
    public static void write(Path modelDir) {
        Generated files = generated();
        try {
            Files.createDirectories(modelDir);
            Files.write(modelDir.resolve("tokenizer.json"), files.tokenizerJson);
            Files.write(modelDir.resolve("tokenizer_config.json"), files.tokenizerConfigJson);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tokenizer files into " + modelDir, e);
        }
    }

    /** The generated {@code tokenizer.json} bytes (a copy). */
    public static byte[] tokenizerJson() {
        return generated().tokenizerJson.clone();
    }

    /** The generated {@code tokenizer_config.json} bytes (a copy). */
    public static byte[] tokenizerConfigJson() {
        return generated().tokenizerConfigJson.clone();
    }

    /**
     * A {@link Phi4Tokenizer} loaded from the generated files, shared by all tests of a JVM (it is immutable and
     * thread-safe), so test classes do not each pay the load.
     */
    public static Phi4Tokenizer tokenizer() {
        Phi4Tokenizer t = tokenizer;
        if (t == null) {
            synchronized (Phi4TokenizerFiles.class) {
                t = tokenizer;
                if (t == null) {
                    try {
                        Path dir = Files.createTempDirectory("phi4-tokenizer");
                        write(dir);
                        t = Phi4Tokenizer.load(dir.resolve("tokenizer.json"));
                        Files.delete(dir.resolve("tokenizer.json"));
                        Files.delete(dir.resolve("tokenizer_config.json"));
                        Files.delete(dir);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    tokenizer = t;
                }
            }
        }
        return t;
    }

    /** The o200k_base mergeable ranks, index = rank, value = token bytes. */
    public static List<byte[]> o200kRanks() {
        return generated().ranks;
    }

    private static Generated generated() {
        Generated g = generated;
        if (g == null) {
            synchronized (Phi4TokenizerFiles.class) {
                g = generated;
                if (g == null) {
                    List<byte[]> ranks = List.copyOf(readRanks());
                    g = new Generated(
                            ranks,
                            buildTokenizerJson(ranks).getBytes(StandardCharsets.UTF_8),
                            buildTokenizerConfigJson().getBytes(StandardCharsets.UTF_8));
                    generated = g;
                }
            }
        }
        return g;
    }

    private record Generated(List<byte[]> ranks, byte[] tokenizerJson, byte[] tokenizerConfigJson) {}

    private static Map<String, Integer> specialTokens() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("<|endoftext|>", ENDOFTEXT_ID);
        m.put("<|endoftext10|>", IMAGE_PLACEHOLDER_ID);
        m.put("<|endoftext11|>", AUDIO_PLACEHOLDER_ID);
        m.put("<|endofprompt|>", 200_018);
        m.put("<|assistant|>", 200_019);
        m.put("<|end|>", END_ID);
        m.put("<|user|>", 200_021);
        m.put("<|system|>", 200_022);
        m.put("<|tool|>", 200_023);
        m.put("<|/tool|>", 200_024);
        m.put("<|tool_call|>", 200_025);
        m.put("<|/tool_call|>", 200_026);
        m.put("<|tool_response|>", 200_027);
        m.put("<|tag|>", 200_028);
        return Collections.unmodifiableMap(m);
    }

    /**
     * Fails with what to add when jtokkit's {@code o200k_base} ranks are not on the class path (the core test-jar
     * does not bring its test-scoped dependencies; {@code dev.phi4ee:phi4-testkit} does).
     */
    static void requireRanks() {
        if (Phi4TokenizerFiles.class.getResource(RESOURCE) == null) {
            throw new IllegalStateException("the Phi4 EE test kit builds tokenizer.json from tiktoken's o200k_base"
                    + " ranks in the jtokkit jar, and " + RESOURCE + " is not on the class path: depend on"
                    + " dev.phi4ee:phi4-testkit (which brings it), or add com.knuddels:jtokkit next to the phi4-core"
                    + " test-jar");
        }
    }

    private static List<byte[]> readRanks() {
        requireRanks();
        byte[][] ranks = new byte[O200K_RANKS][];
        try (InputStream in = Phi4TokenizerFiles.class.getResourceAsStream(RESOURCE)) {
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII), 1 << 16);
            Base64.Decoder base64 = Base64.getDecoder();
            String line;
            while ((line = reader.readLine()) != null) {
                int space = line.indexOf(' ');
                ranks[Integer.parseInt(line, space + 1, line.length(), 10)] = base64.decode(line.substring(0, space));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<byte[]> list = new ArrayList<>(O200K_RANKS);
        for (int i = 0; i < O200K_RANKS; i++) {
            if (ranks[i] == null) {
                throw new IllegalStateException("o200k_base rank " + i + " missing in " + RESOURCE);
            }
            list.add(ranks[i]);
        }
        return list;
    }

    private static String buildTokenizerJson(List<byte[]> ranks) {
        RankTable rankOf = new RankTable(ranks);
        char[] byteChar = byteLevelAlphabet();
        StringBuilder json = new StringBuilder(16 << 20);
        json.append("{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[");
        boolean first = true;
        for (Map.Entry<String, Integer> e : SPECIAL_TOKENS.entrySet()) {
            json.append(first ? "" : ",")
                    .append("{\"id\":")
                    .append(e.getValue())
                    .append(",\"content\":\"")
                    .append(e.getKey())
                    .append("\",\"single_word\":false,\"lstrip\":false,\"rstrip\":")
                    .append(isRstrip(e.getValue()))
                    .append(",\"normalized\":false,\"special\":")
                    .append(isSpecial(e.getValue()))
                    .append('}');
            first = false;
        }
        json.append("],\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[")
                .append("{\"type\":\"Split\",\"pattern\":{\"Regex\":");
        appendJsonString(json, O200K_PATTERN);
        json.append("},\"behavior\":\"Isolated\",\"invert\":false},")
                .append(
                        "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":false}]},")
                .append("\"post_processor\":null,")
                .append("\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,")
                .append("\"use_regex\":true},")
                .append("\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,")
                .append("\"continuing_subword_prefix\":null,\"end_of_word_suffix\":null,\"fuse_unk\":false,")
                .append("\"byte_fallback\":false,\"ignore_merges\":false,\"vocab\":{");
        for (int id = 0; id < ranks.size(); id++) {
            json.append(id == 0 ? "\"" : ",\"");
            appendByteLevel(json, byteChar, ranks.get(id), 0, ranks.get(id).length);
            json.append("\":").append(id);
        }
        // Specials are also vocab entries at their ids: Hugging Face tokenizers gives an added token that is not in
        // the vocab the next free id instead of its declared one (platform-notes.md, Tokenizer).
        for (Map.Entry<String, Integer> e : SPECIAL_TOKENS.entrySet()) {
            json.append(",\"").append(e.getKey()).append("\":").append(e.getValue());
        }
        json.append("},\"merges\":[");
        first = true;
        for (int id = 0; id < ranks.size(); id++) {
            byte[] token = ranks.get(id);
            if (token.length < 2) {
                continue;
            }
            int split = canonicalSplit(token, id, rankOf);
            json.append(first ? "\"" : ",\"");
            appendByteLevel(json, byteChar, token, 0, split);
            json.append(' ');
            appendByteLevel(json, byteChar, token, split, token.length);
            json.append('"');
            first = false;
        }
        json.append("]}}");
        return json.toString();
    }

    /**
     * Byte-level BPE of {@code token} using only ranks below {@code maxRank}; returns the length of the left part of
     * the two parts it ends in.
     */
    private static int canonicalSplit(byte[] token, int maxRank, RankTable rankOf) {
        int n = token.length;
        int[] starts = new int[n + 1]; // part k = token[starts[k], starts[k+1])
        for (int i = 0; i <= n; i++) {
            starts[i] = i;
        }
        int parts = n;
        while (parts > 2) {
            int best = -1;
            int bestRank = maxRank;
            for (int k = 0; k + 1 < parts; k++) {
                int r = rankOf.rank(token, starts[k], starts[k + 2]);
                if (r >= 0 && r < bestRank) {
                    bestRank = r;
                    best = k;
                }
            }
            if (best < 0) {
                throw new IllegalStateException("o200k token " + maxRank + " does not reduce to two parts");
            }
            System.arraycopy(starts, best + 2, starts, best + 1, parts - best - 1);
            parts--;
        }
        return starts[1];
    }

    /** Rank of a byte string: open addressing over an FNV-1a hash, without allocating per lookup. */
    private static final class RankTable {
        private final List<byte[]> ranks;
        private final int[] slots; // rank + 1, 0 = empty
        private final int mask;

        RankTable(List<byte[]> ranks) {
            this.ranks = ranks;
            slots = new int[Integer.highestOneBit(ranks.size() * 2) << 1];
            mask = slots.length - 1;
            for (int r = 0; r < ranks.size(); r++) {
                byte[] token = ranks.get(r);
                int slot = hash(token, 0, token.length) & mask;
                while (slots[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                slots[slot] = r + 1;
            }
        }

        int rank(byte[] bytes, int from, int to) {
            int slot = hash(bytes, from, to) & mask;
            while (slots[slot] != 0) {
                byte[] token = ranks.get(slots[slot] - 1);
                if (Arrays.equals(token, 0, token.length, bytes, from, to)) {
                    return slots[slot] - 1;
                }
                slot = (slot + 1) & mask;
            }
            return -1;
        }

        private static int hash(byte[] bytes, int from, int to) {
            long h = 0xcbf29ce484222325L;
            for (int i = from; i < to; i++) {
                h = (h ^ (bytes[i] & 0xFF)) * 0x100000001b3L;
            }
            return (int) ((h * 0x9E3779B97F4A7C15L) >>> 32);
        }
    }

    private static String buildTokenizerConfigJson() {
        StringBuilder json = new StringBuilder(4096);
        json.append("{\"add_bos_token\":false,\"add_eos_token\":false,\"added_tokens_decoder\":{");
        boolean first = true;
        for (Map.Entry<String, Integer> e : SPECIAL_TOKENS.entrySet()) {
            json.append(first ? "\"" : ",\"")
                    .append(e.getValue())
                    .append("\":{\"content\":\"")
                    .append(e.getKey())
                    .append("\",\"lstrip\":false,\"normalized\":false,\"rstrip\":")
                    .append(isRstrip(e.getValue()))
                    .append(",\"single_word\":false,\"special\":")
                    .append(isSpecial(e.getValue()))
                    .append('}');
            first = false;
        }
        json.append("},\"bos_token\":\"<|endoftext|>\",\"chat_template\":");
        appendJsonString(json, CHAT_TEMPLATE);
        json.append(",\"clean_up_tokenization_spaces\":false,\"eos_token\":\"<|endoftext|>\",")
                .append("\"model_max_length\":131072,\"pad_token\":\"<|endoftext|>\",")
                .append("\"tokenizer_class\":\"GPT2TokenizerFast\",\"unk_token\":\"<|endoftext|>\"}");
        return json.toString();
    }

    /** GPT-2's byte-to-unicode table: printable Latin-1 bytes map to themselves, the rest to U+0100 upwards. */
    static char[] byteLevelAlphabet() {
        char[] table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = (char) (printable ? b : next++);
        }
        return table;
    }

    private static void appendByteLevel(StringBuilder json, char[] byteChar, byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = byteChar[bytes[i] & 0xFF];
            if (c == '"' || c == '\\') {
                json.append('\\');
            }
            json.append(c);
        }
    }

    private static void appendJsonString(StringBuilder json, String s) {
        json.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}

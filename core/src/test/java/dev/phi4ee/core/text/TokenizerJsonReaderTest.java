package dev.phi4ee.core.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.testkit.Phi4TokenizerFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading valid files of the family, and a clear ModelFormatException naming file and field for everything else. */
class TokenizerJsonReaderTest {
    @TempDir
    Path dir;

    @Test
    void tinyTokenizerEncodesWithItsMerges() {
        Phi4Tokenizer tokenizer = parse(TinyTokenizerJson.tree());
        assertThat(tokenizer.encodeOrdinary("hello hello")).containsExactly(259, 32, 259);
        assertThat(tokenizer.encodeWithSpecialTokens("<|user|>hell<|end|>")).containsExactly(261, 258, 260);
        assertThat(tokenizer.encodeOrdinary("<|end|>")).doesNotContain(260);
        assertThat(tokenizer.vocabSize()).isEqualTo(262);
    }

    @Test
    void mergesMayBeWrittenAsPairs() {
        ObjectNode tree = TinyTokenizerJson.tree();
        ArrayNode merges = ((ObjectNode) tree.get("model")).putArray("merges");
        merges.addArray().add("h").add("e");
        merges.addArray().add("l").add("l");
        merges.addArray().add("he").add("ll");
        merges.addArray().add("hell").add("o");
        assertThat(parse(tree).encodeOrdinary("hello")).containsExactly(259);
    }

    /** Split(Isolated) with another regex: matches and the gaps between them are pieces. */
    @Test
    void anotherSplitRegexRunsOnJavaRegex() {
        ObjectNode tree = TinyTokenizerJson.tree();
        ((ObjectNode) tree.at("/pre_tokenizer/pretokenizers/0/pattern")).put("Regex", "l+");
        Phi4Tokenizer tokenizer = parse(tree);
        assertThat(tokenizer.encodeOrdinary("hello")).containsExactly(256, 257, 111); // "he" | "ll" | "o"
        assertThat(tokenizer.encodeWithSpecialTokens("ll<|end|>hello")).containsExactly(257, 260, 256, 257, 111);
        assertThat(parse(TinyTokenizerJson.tree()).encodeOrdinary("hello")).containsExactly(259);
    }

    @Test
    void loadReadsTheSiblingConfig() throws Exception {
        Files.write(dir.resolve("tokenizer.json"), TinyTokenizerJson.bytes(TinyTokenizerJson.tree()));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"add_bos_token\":false,\"eos_token\":\"<|end|>\"}");
        assertThat(Phi4Tokenizer.load(dir.resolve("tokenizer.json")).eosTokenId())
                .hasValue(260);
    }

    @Test
    void missingFile() {
        assertThatThrownBy(() -> Phi4Tokenizer.load(dir.resolve("tokenizer.json")))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("tokenizer.json")
                .hasMessageContaining("not found");
    }

    @Test
    void truncatedFullSizeFile() {
        byte[] full = Phi4TokenizerFiles.tokenizerJson();
        assertRejected(new byte[0], "is empty");
        for (int cut : new int[] {1, full.length / 3, full.length / 2, full.length - 1}) {
            assertRejected(Arrays.copyOf(full, cut), "malformed JSON");
        }
    }

    @Test
    void notAnObject() {
        assertRejected("[1, 2]".getBytes(StandardCharsets.UTF_8), "(root)");
        assertRejected("{} {}".getBytes(StandardCharsets.UTF_8), "after the top-level object");
    }

    @Test
    void missingParts() {
        assertRejected(t -> t.remove("model"), "field model is missing");
        assertRejected(t -> model(t).remove("vocab"), "model.vocab is missing");
        assertRejected(t -> model(t).remove("merges"), "model.merges is missing");
        assertRejected(t -> t.remove("pre_tokenizer"), "field pre_tokenizer is missing");
        assertRejected(t -> t.remove("decoder"), "field decoder is missing");
    }

    @Test
    void wrongTypes() {
        assertRejected(t -> model(t).put("type", "WordPiece"), "model.type");
        assertRejected(t -> model(t).put("vocab", "not an object"), "model.vocab");
        assertRejected(t -> ((ObjectNode) model(t).get("vocab")).put("he", "256"), "model.vocab[\"he\"]");
        assertRejected(t -> ((ObjectNode) model(t).get("vocab")).put("he", -3), "negative id");
        assertRejected(t -> model(t).putObject("merges"), "model.merges");
        assertRejected(t -> ((ArrayNode) model(t).get("merges")).insert(0, 17), "model.merges[0]");
        assertRejected(t -> ((ArrayNode) model(t).get("merges")).set(1, "ll"), "model.merges[1]");
        assertRejected(t -> t.put("added_tokens", 5), "added_tokens");
        assertRejected(t -> ((ObjectNode) t.get("added_tokens").get(0)).put("id", "x"), "added_tokens[0]");
    }

    @Test
    void vocabularyAndMergesThatThisImplementationCannotReproduce() {
        assertRejected(t -> ((ObjectNode) model(t).get("vocab")).remove("A"), "no token for byte 65");
        assertRejected(t -> ((ObjectNode) model(t).get("vocab")).put("zz", 255), "id 255");
        assertRejected(t -> ((ObjectNode) model(t).get("vocab")).put("hi there", 104), "id 104");
        assertRejected(
                t -> {
                    ((ObjectNode) model(t).get("vocab")).put("xy", 262).put("xyz", 263);
                    ((ArrayNode) model(t).get("merges")).add("xy z");
                },
                "joins a token that no merge produces");
        assertRejected(t -> ((ArrayNode) model(t).get("merges")).set(0, "h x"), "produces a token that is not in");
        assertRejected(t -> ((ArrayNode) model(t).get("merges")).set(2, "hel l"), "joins a token that is not in");
        assertRejected(
                t -> {
                    ArrayNode merges = (ArrayNode) model(t).get("merges");
                    merges.removeAll();
                    merges.add("l l").add("h e").add("he ll").add("hell o");
                },
                "ascending rank");
        assertRejected(t -> model(t).put("dropout", 0.1), "model.dropout");
        assertRejected(t -> model(t).put("continuing_subword_prefix", "##"), "model.continuing_subword_prefix");
    }

    @Test
    void pipelineStagesThatWouldChangeTheIds() {
        assertRejected(t -> t.putObject("normalizer").put("type", "NFC"), "field normalizer");
        assertRejected(
                t -> ((ObjectNode) t.at("/pre_tokenizer/pretokenizers/0/pattern")).put("Regex", "(?<oops"),
                "pre_tokenizer.pretokenizers[0].pattern.Regex is not a regex");
        assertRejected(
                t -> ((ObjectNode) t.at("/pre_tokenizer/pretokenizers/0"))
                        .putObject("pattern")
                        .put("String", " "),
                "pre_tokenizer.pretokenizers[0].pattern.Regex is missing");
        assertRejected(t -> ((ObjectNode) t.at("/pre_tokenizer/pretokenizers/1")).put("use_regex", true), "use_regex");
        assertRejected(t -> t.putObject("pre_tokenizer").put("type", "Whitespace"), "field pre_tokenizer");
        assertRejected(t -> ((ObjectNode) t.at("/pre_tokenizer/pretokenizers/0")).put("invert", true), "invert");
        assertRejected(t -> ((ObjectNode) t.at("/pre_tokenizer/pretokenizers/0")).put("behavior", "Removed"), "invert");
        assertRejected(
                t -> ((ObjectNode) t.at("/pre_tokenizer/pretokenizers/0")).put("behavior", "MergedWithNext"),
                "behavior \"MergedWithNext\"");
        assertRejected(t -> t.putObject("decoder").put("type", "WordPiece"), "field decoder");
    }

    /**
     * transformers writes {@code Split(Isolated, invert=false)}; other converters write {@code Removed} with
     * {@code invert: true}, which keeps the matches as pieces and drops the text between them (Hugging Face's
     * {@code Invert} pattern). Same pieces for the o200k regex, which matches everywhere.
     */
    @Test
    void bothSplitSpellingsLoad() {
        ObjectNode removed = TinyTokenizerJson.tree();
        ((ObjectNode) removed.at("/pre_tokenizer/pretokenizers/0"))
                .put("behavior", "Removed")
                .put("invert", true);
        Phi4Tokenizer isolated = parse(TinyTokenizerJson.tree());
        String text = "hello <|end|>, hell\n\t 123 héllo!";
        assertThat(parse(removed).encodeOrdinary(text)).containsExactly(isolated.encodeOrdinary(text));
        ObjectNode noInvert = TinyTokenizerJson.tree();
        ((ObjectNode) noInvert.at("/pre_tokenizer/pretokenizers/0")).remove("invert"); // absent: false
        assertThat(parse(noInvert).encodeOrdinary(text)).containsExactly(isolated.encodeOrdinary(text));
        // Another regex: only its matches are encoded.
        ((ObjectNode) removed.at("/pre_tokenizer/pretokenizers/0/pattern")).put("Regex", "l+");
        assertThat(parse(removed).encodeOrdinary("hello, all")).containsExactly(257, 257);
    }

    /**
     * Vocabulary entries that no merge produces (names for unused ids): Hugging Face's BPE never emits them, so text
     * is encoded without them, but they decode to their text (UTF-8 as is when outside the byte-level alphabet).
     */
    @Test
    void vocabularyEntriesWithoutAMergeOnlyDecode() {
        ObjectNode tree = TinyTokenizerJson.tree();
        ((ObjectNode) model(tree).get("vocab")).put("<|dummy_0|>", 262).put("hi there", 263);
        ((ArrayNode) model(tree).get("merges")).remove(3); // "hell o": "hello" (259) is now unreachable too
        Phi4Tokenizer tokenizer = parse(tree);
        assertThat(tokenizer.encodeOrdinary("hello")).containsExactly(258, 111);
        assertThat(tokenizer.encodeOrdinary("<|dummy_0|>")).doesNotContain(262);
        assertThat(tokenizer.decode(new int[] {259, 262, 263}, true)).isEqualTo("hello<|dummy_0|>hi there");
        assertThat(tokenizer.isSpecial(262)).isFalse();
        assertThat(tokenizer.vocabSize()).isEqualTo(264);
        // With ignore_merges, Hugging Face would emit such an entry for a whole matching piece: refused.
        model(tree).put("ignore_merges", true);
        assertRejected(TinyTokenizerJson.bytes(tree), "model.ignore_merges");
    }

    /** The flags of added_tokens with Hugging Face's semantics (details in AddedTokenMatcherTest). */
    @Test
    void addedTokenFlagsAreHonoured() {
        ObjectNode tree = TinyTokenizerJson.tree();
        assertThat(parse(tree).encodeWithSpecialTokens("<|user|> hello<|end|> "))
                .containsExactly(261, 32, 259, 260, 32);
        ((ObjectNode) tree.get("added_tokens").get(1)).put("rstrip", true);
        ((ObjectNode) tree.get("added_tokens").get(0)).put("lstrip", true);
        assertThat(parse(tree).encodeWithSpecialTokens("<|user|> hello <|end|> "))
                .containsExactly(261, 259, 260, 32);
        ((ObjectNode) tree.get("added_tokens").get(0)).put("single_word", true);
        assertThat(parse(tree).encodeWithSpecialTokens("hello<|end|>"))
                .containsExactly(259, 60, 124, 101, 110, 100, 124, 62);
    }

    /**
     * tokenizer_config.json's added_tokens_decoder wins over tokenizer.json's flags (transformers re-adds the tokens
     * whose flags differ); an entry that is not tokenizer.json's token at that id is refused.
     */
    @Test
    void configAddedTokensDecoderFlagsWin() {
        byte[] json = TinyTokenizerJson.bytes(TinyTokenizerJson.tree());
        String config = "{\"added_tokens_decoder\":{\"261\":{\"content\":\"<|user|>\",\"rstrip\":true,"
                + "\"special\":false}}}";
        Phi4Tokenizer tokenizer = Phi4Tokenizer.parse(
                json, "tokenizer.json", config.getBytes(StandardCharsets.UTF_8), "tokenizer_config.json");
        assertThat(tokenizer.encodeWithSpecialTokens("<|user|> hello")).containsExactly(261, 259);
        assertThat(tokenizer.isSpecial(261)).isFalse();
        assertThat(tokenizer.isSpecial(260)).isTrue();
        for (String bad : new String[] {
            "{\"added_tokens_decoder\":{\"261\":{\"content\":\"<|end|>\"}}}",
            "{\"added_tokens_decoder\":{\"262\":{\"content\":\"<|tag|>\"}}}",
            "{\"added_tokens_decoder\":{\"x\":{\"content\":\"<|end|>\"}}}",
            "{\"added_tokens_decoder\":{\"260\":{\"content\":\"<|end|>\",\"rstrip\":1}}}",
            "{\"added_tokens_decoder\":[]}"
        }) {
            assertThatThrownBy(() -> Phi4Tokenizer.parse(
                            json, "tokenizer.json", bad.getBytes(StandardCharsets.UTF_8), "tokenizer_config.json"))
                    .as(bad)
                    .isInstanceOf(ModelFormatException.class)
                    .hasMessageStartingWith("tokenizer_config.json: field added_tokens_decoder");
        }
    }

    @Test
    void addedTokensThatWouldNotKeepTheirIds() {
        assertRejected(
                t -> ((ObjectNode) t.get("added_tokens").get(0)).put("lstrip", "yes"),
                "added_tokens[0].lstrip is \"yes\"; expected true or false");
        assertRejected(t -> ((ObjectNode) t.get("added_tokens").get(0)).put("id", 300), "declares id 300");
        // Not in the vocabulary: Hugging Face would give it the next free id (262), not the declared one.
        assertRejected(
                t -> ((ArrayNode) t.get("added_tokens")).add(TinyTokenizerJson.addedToken(299, "<|tag|>")),
                "would get id 262");
    }

    @Test
    void addedTokenOutsideTheVocabularyAtTheNextFreeIdIsAccepted() {
        ObjectNode tree = TinyTokenizerJson.tree();
        ((ArrayNode) tree.get("added_tokens")).add(TinyTokenizerJson.addedToken(262, "<|tag|>"));
        assertThat(parse(tree).encodeWithSpecialTokens("<|tag|>")).containsExactly(262);
    }

    @Test
    void configsThatAskForBosOrEos() {
        byte[] json = TinyTokenizerJson.bytes(TinyTokenizerJson.tree());
        for (String config : new String[] {"{\"add_bos_token\":true}", "{\"add_eos_token\":true}"}) {
            assertThatThrownBy(() -> Phi4Tokenizer.parse(
                            json, "tokenizer.json", config.getBytes(StandardCharsets.UTF_8), "tokenizer_config.json"))
                    .isInstanceOf(ModelFormatException.class)
                    .hasMessageStartingWith("tokenizer_config.json: field add_");
        }
        assertThatThrownBy(() -> Phi4Tokenizer.parse(
                        json, "tokenizer.json", "{\"eos_token\":".getBytes(StandardCharsets.UTF_8), "cfg.json"))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith("cfg.json: malformed JSON");
        assertThatThrownBy(() -> Phi4Tokenizer.parse(
                        json,
                        "tokenizer.json",
                        "{\"eos_token\":\"<|nope|>\"}".getBytes(StandardCharsets.UTF_8),
                        "cfg.json"))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("eos_token");
    }

    private static ObjectNode model(ObjectNode tree) {
        return (ObjectNode) tree.get("model");
    }

    private static Phi4Tokenizer parse(ObjectNode tree) {
        return Phi4Tokenizer.parse(TinyTokenizerJson.bytes(tree), "tokenizer.json", null, null);
    }

    private static void assertRejected(Consumer<ObjectNode> damage, String messagePart) {
        ObjectNode tree = TinyTokenizerJson.tree();
        damage.accept(tree);
        assertRejected(TinyTokenizerJson.bytes(tree), messagePart);
    }

    private static void assertRejected(byte[] json, String messagePart) {
        assertThatThrownBy(() -> Phi4Tokenizer.parse(json, "/models/phi4/tokenizer.json", null, null))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith("/models/phi4/tokenizer.json: ")
                .hasMessageContaining(messagePart);
    }
}

package dev.phi4ee.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The added-token flags with Hugging Face tokenizers' semantics. The expected splits are those of the tests in
 * huggingface/tokenizers {@code tokenizers/src/tokenizer/added_vocabulary.rs} ({@code options_use_cases},
 * {@code test_single_word_is_correct}, {@code test_single_word_is_unicode_correct},
 * {@code test_lstrip_unicode_space}, {@code test_encode_special_tokens}); there the tokens are matched after a
 * Lowercase normalizer, so the inputs here are written in lower case. A token is shown as {@code #id} (the whitespace
 * it strips is part of it), text between tokens as itself.
 */
class AddedTokenMatcherTest {
    /** {@code options_use_cases}: lstrip + rstrip take the spaces around "my"; single_word keeps "ony" in "anthony". */
    @Test
    void optionsUseCases() {
        AddedTokenMatcher m = new AddedTokenMatcher(List.of(
                token(0, "my", false, true, true, false, true),
                token(1, "name", false, false, false, false, true),
                token(2, "ony", false, false, false, true, true),
                token(3, "[CLS]", true, false, false, false, false),
                token(4, "[SEP]", true, false, false, false, false)));
        assertThat(split(m, "[CLS] my name is anthony [SEP]")).containsExactly("#3", "#0", "#1", " is anthony ", "#4");
    }

    @Test
    void singleWordIsCorrect() {
        AddedTokenMatcher m = new AddedTokenMatcher(List.of(token(0, "<mask>", false, false, false, true, true)));
        assertThat(split(m, "<mask> my name <mask> a<mask> <mask>ony <mask>"))
                .containsExactly("#0", " my name ", "#0", " a<mask> <mask>ony ", "#0");
    }

    /** Punctuation is not a word character; a combining mark (U+0330) is. */
    @Test
    void singleWordIsUnicodeCorrect() {
        AddedTokenMatcher m = new AddedTokenMatcher(List.of(token(0, "<mask>", false, false, false, true, true)));
        assertThat(split(m, "<mask>, <mask>- \u25cc\u0330<mask>"))
                .containsExactly("#0", ", ", "#0", "- \u25cc\u0330<mask>");
    }

    /**
     * Whitespace is Unicode White_Space (tab, U+2000); a token's lstrip does not take whitespace that the previous
     * token's rstrip already took.
     */
    @Test
    void lstripUnicodeSpace() {
        AddedTokenMatcher m = new AddedTokenMatcher(List.of(token(0, "<mask>", false, true, true, true, true)));
        assertThat(split(m, "hi <mask> there\t<mask>\t<mask>\u2000")).containsExactly("hi", "#0", "there", "#0", "#0");
    }

    @Test
    void encodeSpecialTokensOff() {
        AddedTokenMatcher m = new AddedTokenMatcher(List.of(
                token(0, "<mask>", true, true, true, true, false),
                token(1, "ask>", false, false, false, false, true),
                token(2, "<pad>", true, false, false, false, false)));
        assertThat(split(m, "hi <mask> there\t<mask>\t<mask>\u2000 <pad> <mask><pad><pad>"))
                .containsExactly("hi", "#0", "there", "#0", "#0", "#2", "#0", "#2", "#2");
    }

    /**
     * Tokens with {@code normalized: false} are matched first on the whole text; {@code normalized: true} ones only in
     * what is left, even where they would start earlier ({@code extract_and_normalize}).
     */
    @Test
    void nonNormalizedTokensAreMatchedFirst() {
        AddedTokenMatcher m = new AddedTokenMatcher(List.of(
                token(0, "ab", false, false, false, false, true), token(1, "bc", false, false, false, false, false)));
        assertThat(split(m, "abc")).containsExactly("a", "#1");
        AddedTokenMatcher allRaw = new AddedTokenMatcher(List.of(
                token(0, "ab", false, false, false, false, false), token(1, "bc", false, false, false, false, false)));
        assertThat(split(allRaw, "abc")).containsExactly("#0", "c");
        // The second pass sees the first pass's pieces as whole sentences: lstrip stops at a piece's start.
        AddedTokenMatcher strip = new AddedTokenMatcher(List.of(
                token(0, "<x>", false, false, true, false, false), token(1, "<y>", false, true, false, false, true)));
        assertThat(split(strip, "a  <x>  <y>")).containsExactly("a  ", "#0", "#1");
        assertThat(split(strip, "a  <y>")).containsExactly("a", "#1");
    }

    /** Leftmost match first, then the longest at that position; a discarded match is not searched again inside. */
    @Test
    void leftmostLongestAndNoRescanOfDiscardedMatches() {
        AddedTokenMatcher m = new AddedTokenMatcher(List.of(
                token(0, "<|a", false, false, false, false, false),
                token(1, "<|ab|>", false, false, false, false, false),
                token(2, "b|>", false, false, false, false, false)));
        assertThat(split(m, "x<|ab|><|a")).containsExactly("x", "#1", "#0");
        AddedTokenMatcher single = new AddedTokenMatcher(List.of(
                token(0, "<w>x", false, false, false, true, false), token(1, "x", false, false, false, false, false)));
        // "<w>x" is found first and discarded (a word follows): its "x" is not matched again, the later one is.
        assertThat(split(single, "<w>xy x")).containsExactly("<w>xy ", "#1");
    }

    /** Whitespace stripping stops at text that is not whitespace and never crosses the sentence. */
    @Test
    void rstripTakesAllLeadingWhitespaceOnly() {
        AddedTokenMatcher m = new AddedTokenMatcher(List.of(token(7, "<|user|>", true, false, true, false, false)));
        assertThat(split(m, "<|user|> \t\n\u3000Hi \n")).containsExactly("#7", "Hi \n");
        assertThat(split(m, "<|user|>   ")).containsExactly("#7");
        assertThat(split(m, " <|user|>\u00a0x")).containsExactly(" ", "#7", "x");
        assertThat(split(m, "")).isEmpty();
    }

    /** The {@code \w} used for single_word equals java.util.regex's Unicode {@code \w} for every code point. */
    @Test
    void wordCharactersMatchTheUnicodeRegexClass() {
        Pattern word = Pattern.compile("\\w", Pattern.UNICODE_CHARACTER_CLASS);
        Pattern space = Pattern.compile("\\s", Pattern.UNICODE_CHARACTER_CLASS);
        List<Integer> wrong = new ArrayList<>();
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            String s = Character.toString(cp);
            if (CharClasses.isWord(cp) != word.matcher(s).matches()
                    || CharClasses.isWhiteSpace(cp) != space.matcher(s).matches()) {
                wrong.add(cp);
            }
        }
        assertThat(wrong).isEmpty();
    }

    private static AddedToken token(
            int id, String content, boolean special, boolean lstrip, boolean rstrip, boolean singleWord, boolean norm) {
        return new AddedToken(id, content, special, lstrip, rstrip, singleWord, norm);
    }

    private static List<String> split(AddedTokenMatcher matcher, String text) {
        List<String> pieces = new ArrayList<>();
        matcher.split(text, 0, text.length(), new AddedTokenMatcher.Sink() {
            @Override
            public void text(int from, int to) {
                assertThat(to).isGreaterThan(from);
                pieces.add(text.substring(from, to));
            }

            @Override
            public void token(int id) {
                pieces.add("#" + id);
            }
        });
        return pieces;
    }
}

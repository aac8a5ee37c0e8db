package dev.phi4ee.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.testkit.MultilingualCorpus;
import dev.phi4ee.core.testkit.Phi4TokenizerFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written o200k matcher against java.util.regex (the engine jtokkit uses) on the running JDK. */
class O200kPreTokenizerTest {
    private static final Pattern O200K = Pattern.compile(O200kPreTokenizer.PATTERN, Pattern.UNICODE_CHARACTER_CLASS);

    @Test
    void patternIsTheOneTheTestKitWrites() {
        assertThat(O200kPreTokenizer.PATTERN).isEqualTo(Phi4TokenizerFiles.O200K_PATTERN);
    }

    @Test
    void characterClassesMatchTheRegexClassesForEveryCodePoint() {
        String[] classes = {
            "\\p{L}",
            "\\p{N}",
            "[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]",
            "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]",
            "[^\\r\\n\\p{L}\\p{N}]",
            "\\s",
            "[^\\s\\p{L}\\p{N}]",
            "[\\r\\n]"
        };
        int[] flags = {
            CharClasses.LETTER,
            CharClasses.NUMBER,
            CharClasses.UPPERISH,
            CharClasses.LOWERISH,
            CharClasses.WORD_PREFIX,
            CharClasses.SPACE,
            CharClasses.SYMBOL,
            CharClasses.NEWLINE
        };
        for (int k = 0; k < classes.length; k++) {
            Matcher m =
                    Pattern.compile(classes[k], Pattern.UNICODE_CHARACTER_CLASS).matcher("");
            int mismatches = 0;
            int first = -1;
            for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
                boolean regex = m.reset(Character.toString(cp)).matches();
                boolean ours = (CharClasses.of(cp) & flags[k]) != 0;
                if (regex != ours) {
                    mismatches++;
                    first = first < 0 ? cp : first;
                }
            }
            assertThat(mismatches)
                    .as("class %s, first mismatch U+%04X", classes[k], first)
                    .isZero();
        }
    }

    /**
     * Case-insensitive matching relates a code point only to its case mappings, so code points without any can only
     * match themselves; all others are tried as the first and second letter of a contraction.
     */
    @Test
    void contractionLettersFoldLikeTheRegex() {
        Matcher m = Pattern.compile("(?i:'s|'t|'re|'ve|'m|'ll|'d)", Pattern.UNICODE_CHARACTER_CLASS)
                .matcher("");
        int tried = 0;
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            boolean cased = Character.toUpperCase(cp) != cp
                    || Character.toLowerCase(cp) != cp
                    || Character.toTitleCase(cp) != cp;
            if (!cased && cp > 0x7F) {
                continue;
            }
            tried++;
            for (String suffix : new String[] {"", "e", "l", "E"}) {
                String piece = "a'" + Character.toString(cp) + suffix;
                int expected = m.reset(piece).region(1, piece.length()).lookingAt() ? m.end() : 1;
                assertThat(O200kPreTokenizer.pieceEnd(piece, 0, piece.length()))
                        .as("U+%04X%s", cp, suffix)
                        .isEqualTo(expected);
            }
            for (String prefix : new String[] {"r", "v", "l", "R"}) {
                String piece = "a'" + prefix + Character.toString(cp);
                int expected = m.reset(piece).region(1, piece.length()).lookingAt() ? m.end() : 1;
                assertThat(O200kPreTokenizer.pieceEnd(piece, 0, piece.length()))
                        .as("%s U+%04X", prefix, cp)
                        .isEqualTo(expected);
            }
        }
        assertThat(tried).isGreaterThan(2000);
    }

    @Test
    void piecesEqualRegexMatchesOnTheCorpus() {
        int pieces = 0;
        for (String doc : MultilingualCorpus.documents()) {
            assertSamePieces(doc);
            pieces += regexPieces(doc).size();
        }
        assertThat(pieces).isGreaterThan(100_000);
    }

    /** Random strings over the characters where the alternatives and their backtracking differ. */
    @Test
    void piecesEqualRegexMatchesOnRandomAdversarialStrings() {
        String[] palette = {
            "a", "Z", "ǅ", "ʰ", "中", "ــ", "\u0301", "\u0903", "\u20DD", "1", "٣", "Ⅻ", "½", " ", "  ", "\t", "\r",
                    "\n",
            "\u00A0", "\u2028", "\u0085", "'", "s", "S", "ſ", "t", "re", "vE", "LL", "m", "d", "!", "/", "-", "😀",
                    "𐐀",
            "𐐨", "𝐀", "\uD800", "\uDC00", "\u200D", "\uFE0F", "K"
        };
        SplittableRandom random = new SplittableRandom(42);
        for (int n = 0; n < 50_000; n++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 1 + random.nextInt(12); k > 0; k--) {
                sb.append(palette[random.nextInt(palette.length)]);
            }
            assertSamePieces(sb.toString());
        }
    }

    private static void assertSamePieces(String text) {
        List<String> expected = regexPieces(text);
        List<String> actual = new ArrayList<>();
        for (int i = 0; i < text.length(); ) {
            int end = O200kPreTokenizer.pieceEnd(text, i, text.length());
            assertThat(end).isGreaterThan(i);
            actual.add(text.substring(i, end));
            i = end;
        }
        assertThat(actual).as("pieces of %s", escape(text)).isEqualTo(expected);
    }

    private static List<String> regexPieces(String text) {
        List<String> pieces = new ArrayList<>();
        Matcher m = O200K.matcher(text);
        int last = 0;
        while (m.find()) {
            assertThat(m.start()).as("regex skipped text").isEqualTo(last);
            pieces.add(m.group());
            last = m.end();
        }
        assertThat(last).isEqualTo(text.length());
        return pieces;
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.chars()
                .forEach(
                        c -> sb.append(c < 0x7F && c >= 0x20 ? String.valueOf((char) c) : String.format("\\u%04X", c)));
        return sb.toString();
    }
}

package dev.phi4ee.core.text;

import static dev.phi4ee.core.text.CharClasses.LOWERISH;
import static dev.phi4ee.core.text.CharClasses.NEWLINE;
import static dev.phi4ee.core.text.CharClasses.NUMBER;
import static dev.phi4ee.core.text.CharClasses.SPACE;
import static dev.phi4ee.core.text.CharClasses.SYMBOL;
import static dev.phi4ee.core.text.CharClasses.UPPERISH;
import static dev.phi4ee.core.text.CharClasses.WORD_PREFIX;

/**
 * A hand-written matcher for the o200k_base pre-tokenizer regex (phi4mm-reference.md §6.1), equivalent to
 * {@code Pattern.compile(O200K_PATTERN, UNICODE_CHARACTER_CLASS).matcher(text).find()} repeated from the end of the
 * previous match, without the regex engine's backtracking cost. The seven alternatives, tried in order at each start:
 *
 * <pre>
 * A1 [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 * A2 [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 * A3 \p{N}{1,3}
 * A4  ?[^\s\p{L}\p{N}]+[\r\n/]*
 * A5 \s*[\r\n]+
 * A6 \s+(?!\S)
 * A7 \s+
 * </pre>
 *
 * Every code point is matched by some alternative (letters by A1/A2, numbers by A3, whitespace by A7, the rest by
 * A4), so the pieces tile the text. The backtracking outcomes are resolved in closed form in each method; the
 * differential tests compare this class with {@code java.util.regex} on the multilingual corpus.
 */
final class O200kPreTokenizer {
    /** The regex this class implements, exactly as tiktoken and the Phi-4 tokenizer.json write it. */
    static final String PATTERN = String.join(
            "|",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            "\\p{N}{1,3}",
            " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*",
            "\\s*[\\r\\n]+",
            "\\s+(?!\\S)",
            "\\s+");

    private O200kPreTokenizer() {}

    /** Returns the end (exclusive) of the piece that starts at {@code start}; {@code start < end}. */
    static int pieceEnd(String s, int start, int end) {
        char c = s.charAt(start);
        int cp = c;
        int next = start + 1;
        if (Character.isHighSurrogate(c) && next < end && Character.isLowSurrogate(s.charAt(next))) {
            cp = Character.toCodePoint(c, s.charAt(next));
            next++;
        }
        int flags = CharClasses.of(cp);

        // A1: with the optional prefix (greedy ? tries it first), then without it.
        boolean prefix = (flags & WORD_PREFIX) != 0 && next < end;
        int e;
        if (prefix && (e = lowerWord(s, next, end)) >= 0) {
            return e;
        }
        if ((flags & (UPPERISH | LOWERISH)) != 0 && (e = lowerWord(s, start, end)) >= 0) {
            return e;
        }
        // A2
        if (prefix && (e = upperWord(s, next, end)) >= 0) {
            return e;
        }
        if ((flags & UPPERISH) != 0) {
            return upperWord(s, start, end);
        }
        // A3
        if ((flags & NUMBER) != 0) {
            int i = next;
            for (int count = 1; count < 3 && i < end; count++) {
                int f = flagsAt(s, i, end);
                if ((f & NUMBER) == 0) {
                    break;
                }
                i += charCountAt(s, i, end);
            }
            return i;
        }
        // A4: ' ' is \s, so with the optional space the next code point must be a symbol; else this one must be.
        int symbols = -1;
        if (cp == ' ' && next < end && (flagsAt(s, next, end) & SYMBOL) != 0) {
            symbols = next;
        } else if ((flags & SYMBOL) != 0) {
            symbols = start;
        }
        if (symbols >= 0) {
            int i = symbols;
            while (i < end && (flagsAt(s, i, end) & SYMBOL) != 0) {
                i += charCountAt(s, i, end);
            }
            while (i < end) {
                char t = s.charAt(i);
                if (t != '\r' && t != '\n' && t != '/') {
                    break;
                }
                i++;
            }
            return i;
        }
        // Only whitespace is left (all White_Space code points are in the BMP).
        int runEnd = start;
        int afterLastNewline = -1;
        while (runEnd < end) {
            int f = CharClasses.of(s.charAt(runEnd));
            if ((f & SPACE) == 0) {
                break;
            }
            runEnd++;
            if ((f & NEWLINE) != 0) {
                afterLastNewline = runEnd;
            }
        }
        if (afterLastNewline >= 0) {
            return afterLastNewline; // A5: \s* backtracks to the last newline of the run, [\r\n]+ takes it.
        }
        if (runEnd < end && runEnd - 1 > start) {
            return runEnd - 1; // A6: leave the last space to prefix the next word.
        }
        return runEnd; // A6 at the end of the text, or A7.
    }

    /**
     * {@code [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+} + optional contraction from {@code i}, or -1.
     * The greedy run of upper-ish code points gives back code points until a lower-ish one can start the lower run:
     * either the code point after the run is lower-ish (then the lower run is greedy from there), or the last
     * code point of the run that is also lower-ish (Lm, Lo, M) forms a one-code-point lower run.
     */
    private static int lowerWord(String s, int i, int end) {
        int lastBoth = -1;
        int f = 0;
        while (i < end) {
            f = flagsAt(s, i, end);
            if ((f & UPPERISH) == 0) {
                break;
            }
            int n = charCountAt(s, i, end);
            if ((f & LOWERISH) != 0) {
                lastBoth = i + n;
            }
            i += n;
        }
        if (i < end && (f & LOWERISH) != 0) {
            i += charCountAt(s, i, end);
            while (i < end && (flagsAt(s, i, end) & LOWERISH) != 0) {
                i += charCountAt(s, i, end);
            }
            return contractionEnd(s, i, end);
        }
        return lastBoth < 0 ? -1 : contractionEnd(s, lastBoth, end);
    }

    /** {@code [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*} + optional contraction from {@code i}. */
    private static int upperWord(String s, int i, int end) {
        if ((flagsAt(s, i, end) & UPPERISH) == 0) {
            return -1;
        }
        i += charCountAt(s, i, end);
        while (i < end && (flagsAt(s, i, end) & UPPERISH) != 0) {
            i += charCountAt(s, i, end);
        }
        while (i < end && (flagsAt(s, i, end) & LOWERISH) != 0) {
            i += charCountAt(s, i, end);
        }
        return contractionEnd(s, i, end);
    }

    /** {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)?} at {@code i}: the end of the contraction, or {@code i}. */
    private static int contractionEnd(String s, int i, int end) {
        if (i + 1 >= end || s.charAt(i) != '\'') {
            return i;
        }
        int a = codePointAt(s, i + 1, end);
        int afterA = i + 1 + Character.charCount(a);
        if (foldsTo(a, 's') || foldsTo(a, 't') || foldsTo(a, 'm') || foldsTo(a, 'd')) {
            return afterA;
        }
        if (afterA < end) {
            int b = codePointAt(s, afterA, end);
            if ((foldsTo(a, 'r') && foldsTo(b, 'e'))
                    || (foldsTo(a, 'v') && foldsTo(b, 'e'))
                    || (foldsTo(a, 'l') && foldsTo(b, 'l'))) {
                return afterA + Character.charCount(b);
            }
        }
        return i;
    }

    /** Case-insensitive equality with a lower-case ASCII letter, as java.util.regex does under UNICODE_CASE. */
    private static boolean foldsTo(int cp, char lower) {
        return cp == lower || Character.toLowerCase(Character.toUpperCase(cp)) == lower;
    }

    private static int flagsAt(String s, int i, int end) {
        char c = s.charAt(i);
        if (!Character.isHighSurrogate(c)) {
            return CharClasses.of(c);
        }
        return CharClasses.of(codePointAt(s, i, end));
    }

    private static int charCountAt(String s, int i, int end) {
        return Character.isHighSurrogate(s.charAt(i)) && i + 1 < end && Character.isLowSurrogate(s.charAt(i + 1))
                ? 2
                : 1;
    }

    private static int codePointAt(String s, int i, int end) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < end) {
            char d = s.charAt(i + 1);
            if (Character.isLowSurrogate(d)) {
                return Character.toCodePoint(c, d);
            }
        }
        return c;
    }
}

package dev.phi4ee.core.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits template text into added tokens and the text between them exactly as Hugging Face tokenizers does before
 * pre-tokenization ({@code AddedVocabulary::extract_and_normalize} and {@code find_matches} in
 * {@code tokenizers/src/tokenizer/added_vocabulary.rs}):
 *
 * <ul>
 *   <li>Matches are leftmost first, longest on a tie, and never overlap: after a match the search resumes at its end
 *       (Aho-Corasick {@code LeftmostLongest}), also when the match is then discarded.
 *   <li>{@code single_word}: a match is discarded when the character before it or after it is a word character
 *       ({@code \w} of Rust's regex crate: Unicode Alphabetic, marks, decimal digits, connector punctuation,
 *       Join_Control).
 *   <li>{@code lstrip}: the token also takes the whitespace right before it, but not whitespace that an earlier token
 *       already took. {@code rstrip}: it takes the whitespace right after it. Whitespace is Unicode White_Space
 *       ({@code \s}).
 *   <li>{@code normalized}: tokens with {@code normalized: false} are matched first, on the whole text; tokens with
 *       {@code normalized: true} are matched afterwards, only inside the text pieces the first pass left (Hugging Face
 *       matches them against the normalizer's output, and the Phi-4 family has no normalizer, so the text itself).
 * </ul>
 *
 * The Phi-4 tokens all start with {@code <}, so the scan is an {@code indexOf} per distinct first character.
 */
final class AddedTokenMatcher {
    /** Receives the split in order: text ranges (never empty) and the ids of matched tokens. */
    interface Sink {
        void text(int from, int to);

        void token(int id);
    }

    private final TokenSet raw;
    private final TokenSet normalized;

    AddedTokenMatcher(List<AddedToken> tokens) {
        List<AddedToken> rawTokens = new ArrayList<>();
        List<AddedToken> normalizedTokens = new ArrayList<>();
        for (AddedToken t : tokens) {
            (t.normalized() ? normalizedTokens : rawTokens).add(t);
        }
        raw = new TokenSet(rawTokens);
        normalized = new TokenSet(normalizedTokens);
    }

    /** Splits {@code text[from, to)}. */
    void split(String text, int from, int to, Sink sink) {
        if (normalized.isEmpty()) {
            raw.split(text, from, to, sink);
            return;
        }
        raw.split(text, from, to, new Sink() {
            @Override
            public void text(int a, int b) {
                normalized.split(text, a, b, sink);
            }

            @Override
            public void token(int id) {
                sink.token(id);
            }
        });
    }

    /** One matching pass over a set of tokens (Hugging Face's {@code split_trie} or {@code split_normalized_trie}). */
    private static final class TokenSet {
        private final AddedToken[] byLengthDesc;
        private final char[] firstChars;

        TokenSet(List<AddedToken> tokens) {
            byLengthDesc = tokens.toArray(new AddedToken[0]);
            // Longest first, so that the first token found at a position is the longest one there.
            Arrays.sort(
                    byLengthDesc,
                    (a, b) -> Integer.compare(b.content().length(), a.content().length()));
            StringBuilder chars = new StringBuilder();
            for (AddedToken t : byLengthDesc) {
                char c = t.content().charAt(0);
                if (chars.indexOf(String.valueOf(c)) < 0) {
                    chars.append(c);
                }
            }
            firstChars = chars.toString().toCharArray();
            Arrays.sort(firstChars);
        }

        boolean isEmpty() {
            return byLengthDesc.length == 0;
        }

        /** {@code find_matches} over the "sentence" {@code text[from, to)}. */
        void split(String text, int from, int to, Sink sink) {
            int pieceStart = from; // Hugging Face's start_offset
            int searchFrom = from;
            int candidate;
            while ((candidate = nextCandidate(text, searchFrom, to)) >= 0) {
                AddedToken token = longestAt(text, candidate, to);
                if (token == null) {
                    searchFrom = candidate + 1;
                    continue;
                }
                int start = candidate;
                int stop = candidate + token.content().length();
                searchFrom = stop;
                if (token.singleWord() && !isSingleWord(text, from, to, start, stop)) {
                    continue;
                }
                if (token.lstrip()) {
                    start = Math.max(whitespaceBefore(text, from, start), pieceStart);
                }
                if (token.rstrip()) {
                    stop = whitespaceAfter(text, stop, to);
                }
                if (pieceStart < start) {
                    sink.text(pieceStart, start);
                }
                sink.token(token.id());
                pieceStart = stop;
            }
            if (pieceStart < to) {
                sink.text(pieceStart, to);
            }
        }

        private AddedToken longestAt(String text, int at, int to) {
            for (AddedToken t : byLengthDesc) {
                String c = t.content();
                if (at + c.length() <= to && text.startsWith(c, at)) {
                    return t;
                }
            }
            return null;
        }

        private int nextCandidate(String text, int from, int to) {
            if (firstChars.length == 0) {
                return -1;
            }
            if (firstChars.length == 1) {
                int i = text.indexOf(firstChars[0], from);
                return i >= 0 && i < to ? i : -1;
            }
            for (int i = from; i < to; i++) {
                if (Arrays.binarySearch(firstChars, text.charAt(i)) >= 0) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** Neither the character before {@code start} nor the one at {@code stop} (within the sentence) is {@code \w}. */
    static boolean isSingleWord(String text, int from, int to, int start, int stop) {
        boolean before = start == from || !CharClasses.isWord(text.codePointBefore(start));
        boolean after = stop == to || !CharClasses.isWord(text.codePointAt(stop));
        return before && after;
    }

    /** Start of the run of whitespace that ends at {@code end} ({@code \s*$} on {@code text[from, end)}). */
    static int whitespaceBefore(String text, int from, int end) {
        int i = end;
        while (i > from && CharClasses.isWhiteSpace(text.charAt(i - 1))) {
            i--;
        }
        return i;
    }

    /** End of the run of whitespace that starts at {@code start} ({@code ^\s*} on {@code text[start, to)}). */
    static int whitespaceAfter(String text, int start, int to) {
        int i = start;
        while (i < to && CharClasses.isWhiteSpace(text.charAt(i))) {
            i++;
        }
        return i;
    }
}

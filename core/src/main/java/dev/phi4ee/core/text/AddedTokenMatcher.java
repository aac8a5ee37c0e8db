package dev.phi4ee.core.text;

import java.util.Arrays;
import java.util.List;

/**
 * Finds added tokens in template text, leftmost first and longest on a tie, as Hugging Face tokenizers splits them
 * out before pre-tokenization. The Phi-4 tokens all start with {@code <}, so the scan is a {@code indexOf} per
 * distinct first character.
 */
final class AddedTokenMatcher {
    private final AddedToken[] byLengthDesc;
    private final char[] firstChars;

    AddedTokenMatcher(List<AddedToken> tokens) {
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

    /** A match: the token and where it starts. */
    record Match(AddedToken token, int start) {
        int end() {
            return start + token.content().length();
        }
    }

    /** The leftmost (then longest) added token at or after {@code from}, or null. */
    Match find(String text, int from) {
        int candidate = nextCandidate(text, from);
        while (candidate >= 0) {
            for (AddedToken t : byLengthDesc) {
                if (text.startsWith(t.content(), candidate)) {
                    return new Match(t, candidate);
                }
            }
            candidate = nextCandidate(text, candidate + 1);
        }
        return null;
    }

    private int nextCandidate(String text, int from) {
        if (firstChars.length == 1) {
            return text.indexOf(firstChars[0], from);
        }
        for (int i = from; i < text.length(); i++) {
            if (Arrays.binarySearch(firstChars, text.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }
}

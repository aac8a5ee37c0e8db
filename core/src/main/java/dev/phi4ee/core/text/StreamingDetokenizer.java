package dev.phi4ee.core.text;

import java.util.Arrays;

/**
 * Turns generated ids into text as it becomes complete UTF-8 (§6.1: stream only complete sequences). Bytes of a
 * character split across tokens are held back until the character is complete; invalid bytes are released at once as
 * U+FFFD, so the concatenated output always equals {@link Phi4Tokenizer#decode} of the same ids. One per generation;
 * not thread-safe.
 */
public final class StreamingDetokenizer {
    private final Phi4Tokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private byte[] pending = new byte[32];
    private int pendingLength;

    StreamingDetokenizer(Phi4Tokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /** Adds one id; returns the text completed by it (possibly empty, never part of a character). */
    public String append(int id) {
        int n = tokenizer.byteLength(id, skipSpecialTokens);
        if (n == 0) {
            return "";
        }
        if (pendingLength + n > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pendingLength + n, pending.length * 2));
        }
        pendingLength = tokenizer.copyBytes(id, skipSpecialTokens, pending, pendingLength);
        int complete = Utf8.completePrefix(pending, pendingLength);
        if (complete == 0) {
            return "";
        }
        String text = Utf8.decode(pending, 0, complete);
        System.arraycopy(pending, complete, pending, 0, pendingLength - complete);
        pendingLength -= complete;
        return text;
    }

    /** Returns whatever is held back (an incomplete character becomes U+FFFD) and resets the stream. */
    public String flush() {
        String text = Utf8.decode(pending, 0, pendingLength);
        pendingLength = 0;
        return text;
    }
}

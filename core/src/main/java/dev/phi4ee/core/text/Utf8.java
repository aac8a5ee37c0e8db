package dev.phi4ee.core.text;

/**
 * Lossy UTF-8 decoding with one U+FFFD per maximal ill-formed subpart (Unicode §3.9 "substitution of maximal
 * subparts", as Rust's {@code from_utf8_lossy} in Hugging Face tokenizers does). The JDK decoder groups some invalid
 * sequences differently, so decode and the streaming detokenizer both use this one to always agree.
 */
final class Utf8 {
    private Utf8() {}

    static String decode(byte[] bytes, int from, int to) {
        char[] out = new char[to - from];
        int n = 0;
        int i = from;
        while (i < to) {
            int b = bytes[i];
            if (b >= 0) {
                out[n++] = (char) b;
                i++;
                continue;
            }
            b &= 0xFF;
            int need;
            int low = 0x80;
            int high = 0xBF;
            int cp;
            if (b >= 0xC2 && b <= 0xDF) {
                need = 1;
                cp = b & 0x1F;
            } else if (b >= 0xE0 && b <= 0xEF) {
                need = 2;
                cp = b & 0x0F;
                low = b == 0xE0 ? 0xA0 : 0x80;
                high = b == 0xED ? 0x9F : 0xBF;
            } else if (b >= 0xF0 && b <= 0xF4) {
                need = 3;
                cp = b & 0x07;
                low = b == 0xF0 ? 0x90 : 0x80;
                high = b == 0xF4 ? 0x8F : 0xBF;
            } else {
                out[n++] = '\uFFFD';
                i++;
                continue;
            }
            int j = i + 1;
            boolean complete = true;
            for (int k = 0; k < need; k++) {
                int c = j < to ? bytes[j] & 0xFF : -1;
                if (c < low || c > high) {
                    complete = false;
                    break;
                }
                cp = (cp << 6) | (c & 0x3F);
                j++;
                low = 0x80;
                high = 0xBF;
            }
            if (complete) {
                n += Character.toChars(cp, out, n);
            } else {
                out[n++] = '\uFFFD';
            }
            i = j;
        }
        return new String(out, 0, n);
    }

    /**
     * Length of the prefix of {@code bytes[0, length)} that can be decoded now: all but a trailing valid-but-incomplete
     * start of a character. A maximal subpart never extends past a lead byte, so decoding the prefix and the rest
     * separately gives the same text as decoding everything at once.
     */
    static int completePrefix(byte[] bytes, int length) {
        int lead = length - 1;
        while (lead >= 0 && lead > length - 4 && (bytes[lead] & 0xC0) == 0x80) {
            lead--;
        }
        if (lead < 0 || (bytes[lead] & 0xC0) == 0x80) {
            return length;
        }
        int b = bytes[lead] & 0xFF;
        int needed;
        if (b >= 0xC2 && b <= 0xDF) {
            needed = 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            needed = 3;
        } else if (b >= 0xF0 && b <= 0xF4) {
            needed = 4;
        } else {
            return length; // ASCII or a byte that never starts a character
        }
        int have = length - lead;
        if (have >= needed) {
            return length;
        }
        if (have >= 2) {
            int second = bytes[lead + 1] & 0xFF;
            int low = b == 0xE0 ? 0xA0 : b == 0xF0 ? 0x90 : 0x80;
            int high = b == 0xED ? 0x9F : b == 0xF4 ? 0x8F : 0xBF;
            if (second < low || second > high) {
                return length; // already ill-formed: release it as U+FFFD now
            }
        }
        return lead;
    }
}

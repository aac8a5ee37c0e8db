package dev.phi4ee.core.text;

/**
 * GPT-2's byte-to-unicode mapping used by byte-level BPE vocabularies: printable Latin-1 bytes stand for themselves,
 * the other 68 bytes for U+0100 upwards, in byte order. Vocabulary strings in tokenizer.json are written in it.
 */
final class ByteLevelAlphabet {
    /** The highest character of the alphabet (U+0143). */
    static final int MAX_CHAR = 0x143;

    private static final int[] BYTE_OF_CHAR = new int[MAX_CHAR + 1];

    static {
        java.util.Arrays.fill(BYTE_OF_CHAR, -1);
        int next = 0x100;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_OF_CHAR[printable ? b : next++] = b;
        }
    }

    private ByteLevelAlphabet() {}

    /** The byte a vocabulary character stands for, or -1 when it is not in the alphabet. */
    static int byteOf(char c) {
        return c <= MAX_CHAR ? BYTE_OF_CHAR[c] : -1;
    }

    /** Decodes a vocabulary string into bytes, or returns null when a character is outside the alphabet. */
    static byte[] toBytes(String token) {
        byte[] bytes = new byte[token.length()];
        for (int i = 0; i < bytes.length; i++) {
            int b = byteOf(token.charAt(i));
            if (b < 0) {
                return null;
            }
            bytes[i] = (byte) b;
        }
        return bytes;
    }
}

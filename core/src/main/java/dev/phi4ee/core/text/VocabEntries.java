package dev.phi4ee.core.text;

import java.util.Arrays;

/**
 * tokenizer.json's {@code model.vocab} as read: each entry's byte-level-decoded bytes in one flat array, its id and
 * the hash {@link BytePairEncoder} indexes it by. Flat storage keeps loading 200k entries free of per-entry arrays.
 */
final class VocabEntries {
    byte[] bytes;
    int[] start;
    int[] ids;
    long[] hashes;
    int count;
    private int used;

    VocabEntries(int entries, int totalBytes) {
        entries = Math.max(1, entries);
        bytes = new byte[Math.max(16, totalBytes)];
        start = new int[entries + 1];
        ids = new int[entries];
        hashes = new long[entries];
    }

    /**
     * Adds a vocabulary string decoded through the byte-level alphabet; returns false (adding nothing) when a
     * character is outside the alphabet.
     */
    boolean addByteLevel(String token, int id) {
        int n = token.length();
        if (used + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(used + n, bytes.length * 2));
        }
        long hash = BytePairEncoder.HASH_SEED;
        for (int i = 0; i < n; i++) {
            int b = ByteLevelAlphabet.byteOf(token.charAt(i));
            if (b < 0) {
                return false;
            }
            bytes[used + i] = (byte) b;
            hash = (hash ^ b) * BytePairEncoder.HASH_PRIME;
        }
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, count * 2);
            hashes = Arrays.copyOf(hashes, count * 2);
            start = Arrays.copyOf(start, count * 2 + 1);
        }
        start[count] = used;
        ids[count] = id;
        hashes[count] = hash;
        used += n;
        count++;
        start[count] = used;
        return true;
    }

    int length(int i) {
        return start[i + 1] - start[i];
    }
}

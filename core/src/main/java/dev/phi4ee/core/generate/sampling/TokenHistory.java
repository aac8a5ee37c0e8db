package dev.phi4ee.core.generate.sampling;

import java.util.Arrays;
import java.util.Objects;

/**
 * The token ids of one sequence so far (prompt, media placeholders expanded, then generated tokens), with an O(1)
 * membership test and the list of distinct ids, so that the repetition penalty touches each distinct id once instead
 * of scanning the history per vocabulary entry. One instance per request; not thread-safe.
 */
public final class TokenHistory {
    private final int vocabSize;
    private final int promptLength;
    private final long[] present;
    private int[] ids;
    private int size;
    private int[] distinct;
    private int distinctCount;
    /** The distinct ids in ascending order; the first {@code sortedCount} of them are up to date. */
    private int[] sorted = new int[0];

    private int sortedCount;

    /**
     * @param vocabSize number of logits per row; every id must be in {@code [0, vocabSize)}
     * @param promptIds the prompt as fed to the decoder (copied)
     */
    public TokenHistory(int vocabSize, int[] promptIds) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabSize must be >= 1, was " + vocabSize);
        }
        this.vocabSize = vocabSize;
        this.present = new long[(vocabSize + 63) >>> 6];
        this.ids = new int[Math.max(16, promptIds.length + 64)];
        this.distinct = new int[64];
        for (int id : promptIds) {
            add(id);
        }
        this.promptLength = promptIds.length;
    }

    /** Appends a generated token. */
    public void add(int tokenId) {
        if (tokenId < 0 || tokenId >= vocabSize) {
            throw new IllegalArgumentException(
                    "token id " + tokenId + " outside the vocabulary [0, " + vocabSize + ")");
        }
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = tokenId;
        long bit = 1L << tokenId;
        int word = tokenId >>> 6;
        if ((present[word] & bit) == 0) {
            present[word] |= bit;
            if (distinctCount == distinct.length) {
                distinct = Arrays.copyOf(distinct, distinctCount * 2);
            }
            distinct[distinctCount++] = tokenId;
        }
    }

    /** Whether {@code tokenId} occurs anywhere in the sequence. */
    public boolean contains(int tokenId) {
        return (present[tokenId >>> 6] & (1L << tokenId)) != 0;
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** Prompt plus generated tokens. */
    public int size() {
        return size;
    }

    public int promptLength() {
        return promptLength;
    }

    public int generatedCount() {
        return size - promptLength;
    }

    /** The id at {@code position} (0 = first prompt token). */
    public int get(int position) {
        Objects.checkIndex(position, size);
        return ids[position];
    }

    /** Number of different ids in the sequence. */
    public int distinctCount() {
        return distinctCount;
    }

    /** The {@code i}-th different id, in order of first appearance. */
    public int distinctId(int i) {
        Objects.checkIndex(i, distinctCount);
        return distinct[i];
    }

    /**
     * The distinct ids in ascending order, in the first {@link #distinctCount()} entries of the returned array (owned
     * by this history, valid until the next {@link #add}). Kept up to date lazily: ids added since the last call are
     * inserted, one step adds at most one.
     */
    int[] sortedDistinctIds() {
        if (sortedCount == distinctCount) {
            return sorted;
        }
        if (sorted.length < distinctCount) {
            sorted = Arrays.copyOf(sorted, Math.max(distinctCount, sorted.length * 2));
        }
        if (distinctCount - sortedCount > 8) {
            System.arraycopy(distinct, 0, sorted, 0, distinctCount);
            Arrays.sort(sorted, 0, distinctCount);
        } else {
            for (int j = sortedCount; j < distinctCount; j++) {
                int id = distinct[j];
                int at = -Arrays.binarySearch(sorted, 0, j, id) - 1;
                System.arraycopy(sorted, at, sorted, at + 1, j - at);
                sorted[at] = id;
            }
        }
        sortedCount = distinctCount;
        return sorted;
    }

    /** A copy of the generated ids. */
    public int[] generatedIds() {
        return Arrays.copyOfRange(ids, promptLength, size);
    }
}

package dev.phi4ee.core.text;

import java.util.Arrays;

/**
 * Byte-level BPE with tiktoken semantics over an immutable rank table (rank = token id, §6.1): a piece that is itself
 * a token is emitted directly; otherwise adjacent parts are merged, lowest rank of the concatenation first and
 * leftmost on ties, until no adjacent pair forms a token. The loader only accepts vocabularies whose merges list is
 * in this rank order (files converted from tiktoken ranks, as the Phi-4 one is, §6.1), where Hugging Face's
 * merge-priority BPE is meant to give the same ids; the tests prove equality with tiktoken's o200k (via jtokkit).
 *
 * <p>Token bytes live in one flat array; an open-addressing table maps a 64-bit FNV-1a hash of the bytes to the id,
 * so a lookup is one probe plus a vectorised range compare, without allocating.
 */
final class BytePairEncoder {
    static final int NONE = Integer.MAX_VALUE;
    static final long HASH_SEED = 0xcbf29ce484222325L;
    static final long HASH_PRIME = 0x100000001b3L;

    /** Pieces longer than this use the heap-based merge, O(n log n) instead of O(n^2). */
    private static final int SMALL_PIECE = 256;

    private final byte[] bytes;
    private final int[] start; // bytes of token id: [start[id], start[id + 1]); empty for ids that are not BPE tokens
    private final long[] table; // (fingerprint << 32) | (id + 1); 0 = empty
    private final int shift;
    private final int maxTokenLength;
    private final int[] byteToken = new int[256];
    private final int[] pairToken = new int[1 << 16]; // two-byte tokens, NONE when absent

    /**
     * @param idLimit one more than the highest id
     * @param vocab the vocabulary entries (byte-level decoded, with their hashes); entries with {@code skip[i]} set
     *     are not BPE tokens (added tokens also listed in the vocabulary)
     * @throws IllegalArgumentException naming an id that two entries share
     */
    BytePairEncoder(int idLimit, VocabEntries vocab, boolean[] skip) {
        start = new int[idLimit + 1];
        int[] length = new int[idLimit];
        Arrays.fill(length, -1);
        int count = 0;
        int maxLength = 0;
        for (int i = 0; i < vocab.count; i++) {
            if (skip[i]) {
                continue;
            }
            int id = vocab.ids[i];
            if (length[id] >= 0) {
                throw new IllegalArgumentException("id " + id + " is given to two tokens");
            }
            length[id] = vocab.length(i);
            count++;
            maxLength = Math.max(maxLength, length[id]);
        }
        int total = 0;
        for (int id = 0; id < idLimit; id++) {
            start[id] = total;
            total += Math.max(0, length[id]);
        }
        start[idLimit] = total;
        maxTokenLength = maxLength;
        bytes = new byte[total];
        int capacity = Integer.highestOneBit(Math.max(16, count * 2 - 1)) << 1;
        table = new long[capacity];
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
        Arrays.fill(byteToken, -1);
        Arrays.fill(pairToken, NONE);
        for (int i = 0; i < vocab.count; i++) {
            if (skip[i]) {
                continue;
            }
            int id = vocab.ids[i];
            int from = vocab.start[i];
            int n = vocab.length(i);
            System.arraycopy(vocab.bytes, from, bytes, start[id], n);
            insert(vocab.hashes[i], id);
            if (n == 1) {
                byteToken[vocab.bytes[from] & 0xFF] = id;
            } else if (n == 2) {
                pairToken[((vocab.bytes[from] & 0xFF) << 8) | (vocab.bytes[from + 1] & 0xFF)] = id;
            }
        }
    }

    boolean isToken(int id) {
        return id >= 0 && id < idLimit() && start[id + 1] > start[id];
    }

    /** The id of the token with exactly these bytes, or -1. Needs the bytes' {@link #hash}. */
    int lookup(byte[] buf, int from, int to, long hash) {
        long mixed = hash * 0x9E3779B97F4A7C15L;
        int slot = (int) (mixed >>> shift);
        int fingerprint = (int) hash;
        int length = to - from;
        int mask = table.length - 1;
        while (true) {
            long entry = table[slot];
            if (entry == 0) {
                return -1;
            }
            if ((int) (entry >>> 32) == fingerprint) {
                int id = (int) entry - 1;
                int s = start[id];
                if (start[id + 1] - s == length && Arrays.equals(bytes, s, s + length, buf, from, to)) {
                    return id;
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    /** The single-byte token of {@code b}, or -1. */
    int byteToken(int b) {
        return byteToken[b & 0xFF];
    }

    /** Bytes of a BPE token, for decoding. */
    int tokenStart(int id) {
        return start[id];
    }

    int tokenEnd(int id) {
        return start[id + 1];
    }

    byte[] tokenBytes() {
        return bytes;
    }

    int idLimit() {
        return start.length - 1;
    }

    /** Encodes one pre-tokenized piece (its UTF-8 bytes and their hash) and appends the ids to {@code out}. */
    void encodePiece(byte[] buf, int length, long hash, IntArrayBuilder out, Scratch scratch) {
        int whole = length <= maxTokenLength ? lookup(buf, 0, length, hash) : -1;
        if (whole >= 0) {
            out.add(whole);
        } else if (length <= SMALL_PIECE) {
            mergeSmall(buf, length, out, scratch);
        } else {
            mergeLarge(buf, length, out);
        }
    }

    static long hash(byte[] buf, int from, int to) {
        long h = HASH_SEED;
        for (int i = from; i < to; i++) {
            h = (h ^ (buf[i] & 0xFF)) * HASH_PRIME;
        }
        return h;
    }

    /** Rank (= id) of the token buf[from, to), or NONE. */
    private int rank(byte[] buf, int from, int to) {
        if (to - from > maxTokenLength) {
            return NONE;
        }
        int id = lookup(buf, from, to, hash(buf, from, to));
        return id < 0 ? NONE : id;
    }

    private int pairRank(byte[] buf, int i) {
        return pairToken[((buf[i] & 0xFF) << 8) | (buf[i + 1] & 0xFF)];
    }

    /** tiktoken's linear-scan merge: parts as boundaries in an array, ranks of adjacent pairs beside them. */
    private void mergeSmall(byte[] buf, int length, IntArrayBuilder out, Scratch scratch) {
        scratch.ensureParts(length + 1);
        int[] bounds = scratch.bounds; // part k = buf[bounds[k], bounds[k + 1])
        int[] ranks = scratch.ranks; // rank of part k + part k+1
        int[] ids = scratch.ids;
        for (int k = 0; k < length; k++) {
            bounds[k] = k;
            ids[k] = byteToken[buf[k] & 0xFF];
            ranks[k] = k + 1 < length ? pairRank(buf, k) : NONE;
        }
        bounds[length] = length;
        int parts = length;
        while (parts > 1) {
            int best = -1;
            int bestRank = NONE;
            for (int k = 0; k < parts - 1; k++) {
                if (ranks[k] < bestRank) {
                    bestRank = ranks[k];
                    best = k;
                }
            }
            if (best < 0) {
                break;
            }
            ids[best] = bestRank;
            System.arraycopy(bounds, best + 2, bounds, best + 1, parts - best - 1);
            System.arraycopy(ranks, best + 2, ranks, best + 1, parts - best - 2);
            System.arraycopy(ids, best + 2, ids, best + 1, parts - best - 2);
            parts--;
            ranks[best] = best + 1 < parts ? rank(buf, bounds[best], bounds[best + 2]) : NONE;
            if (best > 0) {
                ranks[best - 1] = rank(buf, bounds[best - 1], bounds[best + 1]);
            }
        }
        for (int k = 0; k < parts; k++) {
            out.add(ids[k]);
        }
    }

    /**
     * The same merge order for long pieces with a min-heap of (rank, position) and lazy deletion: an entry is live
     * while the part at its position still exists and its pair rank is unchanged. Parts are a linked list by start.
     */
    private void mergeLarge(byte[] buf, int length, IntArrayBuilder out) {
        int[] next = new int[length];
        int[] prev = new int[length];
        int[] ranks = new int[length];
        int[] ids = new int[length];
        LongMinHeap heap = new LongMinHeap(length);
        for (int p = 0; p < length; p++) {
            next[p] = p + 1;
            prev[p] = p - 1;
            ids[p] = byteToken[buf[p] & 0xFF];
            ranks[p] = p + 1 < length ? pairRank(buf, p) : NONE;
            if (ranks[p] != NONE) {
                heap.push(((long) ranks[p] << 32) | p);
            }
        }
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int r = (int) (top >>> 32);
            int p = (int) top;
            if (ranks[p] != r) {
                continue;
            }
            int q = next[p];
            int after = next[q];
            ids[p] = r;
            ranks[q] = NONE;
            ids[q] = -1;
            next[p] = after;
            if (after < length) {
                prev[after] = p;
                ranks[p] = rank(buf, p, next[after]);
                if (ranks[p] != NONE) {
                    heap.push(((long) ranks[p] << 32) | p);
                }
            } else {
                ranks[p] = NONE;
            }
            int before = prev[p];
            if (before >= 0) {
                ranks[before] = rank(buf, before, after);
                if (ranks[before] != NONE) {
                    heap.push(((long) ranks[before] << 32) | before);
                }
            }
        }
        for (int p = 0; p < length; p = next[p]) {
            out.add(ids[p]);
        }
    }

    private void insert(long hash, int id) {
        long mixed = hash * 0x9E3779B97F4A7C15L;
        int slot = (int) (mixed >>> shift);
        int mask = table.length - 1;
        while (table[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        table[slot] = ((long) (int) hash << 32) | (id + 1L);
    }

    /** Per-call working memory of the encoder; not shared between threads. */
    static final class Scratch {
        byte[] utf8 = new byte[256];
        int[] bounds = new int[64];
        int[] ranks = new int[64];
        int[] ids = new int[64];

        void ensureParts(int n) {
            if (bounds.length < n) {
                int size = Math.max(n, bounds.length * 2);
                bounds = new int[size];
                ranks = new int[size];
                ids = new int[size];
            }
        }

        byte[] utf8(int capacity) {
            if (utf8.length < capacity) {
                utf8 = new byte[Math.max(capacity, utf8.length * 2)];
            }
            return utf8;
        }
    }

    /** A binary min-heap of longs. */
    private static final class LongMinHeap {
        private long[] heap;
        private int size;

        LongMinHeap(int capacity) {
            heap = new long[Math.max(16, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(long value) {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (heap[parent] <= value) {
                    break;
                }
                heap[i] = heap[parent];
                i = parent;
            }
            heap[i] = value;
        }

        long pop() {
            long top = heap[0];
            long last = heap[--size];
            int i = 0;
            int half = size >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                if (child + 1 < size && heap[child + 1] < heap[child]) {
                    child++;
                }
                if (heap[child] >= last) {
                    break;
                }
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = last;
            return top;
        }
    }
}

package dev.phi4ee.core.generate.sampling;

import java.util.Arrays;

/**
 * Reusable per-request buffer of candidate tokens drawn from a scratch logits row, ranked best first (value
 * descending, index ascending on ties) when selected by rank. Selection is partial: the {@code n} best of a 200k row
 * come from one pass with a bounded heap, so only the candidates are sorted, never the whole vocabulary.
 */
final class CandidateRanking {
    private long[] keys = new long[64];
    private double[] weights = new double[64];
    private int count;

    int count() {
        return count;
    }

    /** Token id of candidate {@code rank}. */
    int tokenId(int rank) {
        return (int) keys[rank];
    }

    /** Weight set by {@link #computeWeights}. */
    double weight(int rank) {
        return weights[rank];
    }

    /** Sets {@code weight(j) = exp(values[tokenId(j)] - max)} for {@code j < upTo} and returns their sum. */
    double computeWeights(float[] values, float max, int upTo) {
        double sum = 0;
        for (int j = 0; j < upTo; j++) {
            double w = Math.exp((double) values[(int) keys[j]] - max);
            weights[j] = w;
            sum += w;
        }
        return sum;
    }

    /**
     * Keeps the {@code want} best finite entries of {@code values[0..length)}, sorted best first. Fewer when the row
     * has fewer finite entries.
     */
    void selectTop(float[] values, int length, int want) {
        want = Math.min(want, length);
        ensureCapacity(want);
        long[] heap = keys;
        int size = 0;
        float worst = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) {
            float x = values[i];
            if (size < want) {
                if (x > Float.NEGATIVE_INFINITY) {
                    heap[size] = pack(x, i);
                    siftUp(heap, size++);
                    if (size == want) {
                        worst = values[(int) heap[0]];
                    }
                }
            } else if (x > worst) {
                // On equal values the earlier index ranks first, so a later equal value never replaces the root.
                heap[0] = pack(x, i);
                siftDown(heap, size);
                worst = values[(int) heap[0]];
            }
        }
        count = size;
        Arrays.sort(keys, 0, size);
    }

    /** Keeps every finite entry {@code >= threshold}, sorted best first (top-k keeps ties of the k-th value). */
    void selectAtLeast(float[] values, int length, float threshold) {
        int n = 0;
        for (int i = 0; i < length; i++) {
            float x = values[i];
            if (x >= threshold && x > Float.NEGATIVE_INFINITY) {
                if (n == keys.length) {
                    keys = Arrays.copyOf(keys, 2 * n);
                    weights = new double[2 * n];
                }
                keys[n++] = pack(x, i);
            }
        }
        count = n;
        Arrays.sort(keys, 0, n);
    }

    /**
     * Keeps, in index order, every finite entry that ranks no lower than {@code lastKey} (a {@link #pack} key; use
     * {@code Long.MAX_VALUE} for no bound) and passes min-p, {@code x - max >= logMinP} (negative infinity: off). One
     * pass; a float comparison against the bound's value screens out the rest before the exact key test.
     */
    void selectUpTo(float[] values, int length, long lastKey, float max, double logMinP) {
        float floor = lastKey == Long.MAX_VALUE ? Float.NEGATIVE_INFINITY : valueOf(lastKey);
        long[] k = keys;
        int n = 0;
        for (int i = 0; i < length; i++) {
            float x = values[i];
            if (x >= floor && keeps(x, i, lastKey, max, logMinP)) {
                if (n == k.length) {
                    k = grow(n);
                }
                k[n++] = pack(x, i);
            }
        }
        count = n;
    }

    private static boolean keeps(float x, int i, long lastKey, float max, double logMinP) {
        return x > Float.NEGATIVE_INFINITY && (double) x - max >= logMinP && pack(x, i) <= lastKey;
    }

    /**
     * Keeps the entries whose distance below {@code max}, scaled by {@code scale}, falls in {@code bucket} (see
     * {@link NucleusSelection#bucketOf}), sorted best first. A bucket is one range of distances (bucketOf is
     * monotone), so one pass tests a slightly wider range with a subtraction and two comparisons and gives only the
     * entries inside it the exact bucketOf.
     */
    void selectBucket(float[] values, int length, float max, double scale, double limit, int bucket) {
        // (int) (d * scale) == bucket needs d * scale in [bucket, bucket + 1) before rounding, so d within a relative
        // 1e-9 of [bucket / scale, (bucket + 1) / scale]; the last bucket also takes every larger d up to the limit.
        double lo = bucket / scale * (1 - 1e-9);
        double hi = bucket == NucleusSelection.BUCKETS - 1 ? limit : (bucket + 1) / scale * (1 + 1e-9);
        long[] k = keys;
        int n = 0;
        for (int i = 0; i < length; i++) {
            float x = values[i];
            double d = (double) max - x;
            if (d >= lo && d <= hi && NucleusSelection.bucketOf(x, max, scale, limit) == bucket) {
                if (n == k.length) {
                    k = grow(n);
                }
                k[n++] = pack(x, i);
            }
        }
        count = n;
        Arrays.sort(keys, 0, n);
    }

    /** The pack key of candidate {@code rank}. */
    long key(int rank) {
        return keys[rank];
    }

    /** Doubles the key array (keeping its first {@code n} keys) and the weights; returns the new key array. */
    private long[] grow(int n) {
        keys = Arrays.copyOf(keys, Math.max(64, 2 * n));
        weights = new double[keys.length];
        return keys;
    }

    /** The value packed in a {@link #pack} key. */
    static float valueOf(long key) {
        int ordered = ~(int) (key >>> 32);
        return Float.intBitsToFloat(ordered ^ ((ordered >> 31) & 0x7fffffff));
    }

    private void ensureCapacity(int n) {
        if (keys.length < n) {
            int capacity = Math.max(n, keys.length * 2);
            keys = new long[capacity];
            weights = new double[capacity];
        }
    }

    /**
     * Packs value and index into one long whose natural (ascending) order is value descending, then index ascending:
     * the high half is the bitwise complement of an order-preserving int image of the float.
     */
    static long pack(float value, int index) {
        int bits = Float.floatToRawIntBits(value);
        int ordered = bits ^ ((bits >> 31) & 0x7fffffff);
        return ((long) ~ordered << 32) | (index & 0xffffffffL);
    }

    // Max-heap on packed keys: the root is the worst candidate kept so far.
    private static void siftUp(long[] heap, int at) {
        long key = heap[at];
        while (at > 0) {
            int parent = (at - 1) >>> 1;
            if (heap[parent] >= key) {
                break;
            }
            heap[at] = heap[parent];
            at = parent;
        }
        heap[at] = key;
    }

    private static void siftDown(long[] heap, int size) {
        long key = heap[0];
        int at = 0;
        while (true) {
            int child = 2 * at + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] > heap[child]) {
                child++;
            }
            if (heap[child] <= key) {
                break;
            }
            heap[at] = heap[child];
            at = child;
        }
        heap[at] = key;
    }
}

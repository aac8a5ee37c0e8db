package dev.phi4ee.core.generate.constrain;

import java.util.Arrays;

/**
 * The token ids a grammar state allows, as a bit set over the vocabulary, plus the ids themselves when they are few
 * (then applying the mask touches only them). Immutable.
 */
final class TokenMask {
    /** Up to this many allowed ids the mask keeps their list, and is applied by writing only them. */
    static final int SPARSE = 4096;

    final long[] bits;
    final int count;
    /** The allowed ids ascending when {@code count <= SPARSE}, else null. */
    final int[] ids;

    TokenMask(long[] bits) {
        this.bits = bits;
        int c = 0;
        for (long w : bits) {
            c += Long.bitCount(w);
        }
        this.count = c;
        if (c <= SPARSE) {
            ids = new int[c];
            int k = 0;
            for (int w = 0; w < bits.length; w++) {
                for (long x = bits[w]; x != 0; x &= x - 1) {
                    ids[k++] = (w << 6) + Long.numberOfTrailingZeros(x);
                }
            }
        } else {
            ids = null;
        }
    }

    boolean allows(int id) {
        return (bits[id >>> 6] & (1L << id)) != 0;
    }

    /** Approximate heap bytes, for the cache bound. */
    long bytes() {
        return 8L * bits.length + (ids == null ? 0 : 4L * ids.length) + 64;
    }

    /**
     * Writes {@code logits} into {@code out} with every disallowed entry (and NaN) set to negative infinity.
     *
     * @param logits the row, already widened to float32
     */
    void apply(float[] logits, float[] out, int size) {
        if (ids != null) {
            Arrays.fill(out, 0, size, Float.NEGATIVE_INFINITY);
            for (int id : ids) {
                float v = logits[id];
                out[id] = v == v ? v : Float.NEGATIVE_INFINITY;
            }
            return;
        }
        System.arraycopy(logits, 0, out, 0, size);
        for (int w = 0; w < bits.length; w++) {
            long disallowed = ~bits[w];
            int base = w << 6;
            for (long x = disallowed; x != 0; x &= x - 1) {
                int id = base + Long.numberOfTrailingZeros(x);
                if (id >= size) {
                    break;
                }
                out[id] = Float.NEGATIVE_INFINITY;
            }
        }
        for (int i = 0; i < size; i++) {
            if (out[i] != out[i]) {
                out[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }
}

package dev.phi4ee.core.generate.prefix;

/**
 * How a prompt's positions are split into decoder runs. Every run's attention-mask width (its end) must be on the
 * prompt's side of the LongRoPE switch (reference §4.4): a prompt longer than {@code original_max_position_embeddings}
 * gets a first run that ends past it.
 *
 * <ul>
 *   <li>{@link #of}: runs of {@code chunk} positions counted from the first position run (the prefill without prefix
 *       reuse);
 *   <li>{@link #aligned}: runs that end on multiples of the block size. With prefix reuse every block is computed by
 *       the same decoder run (same past, same new positions) whichever request computes it, so reused keys and values
 *       are bit-identical to recomputed ones on any execution provider (docs/decisions/prefix-cache.md).
 * </ul>
 *
 * @param chunk positions per run; 0 = the whole prompt in one run
 * @param aligned whether run ends are multiples of {@code chunk}
 * @param threshold {@code original_max_position_embeddings}
 */
public record PrefillChunks(int chunk, boolean aligned, int threshold) {
    public PrefillChunks {
        if (chunk < 0 || (aligned && chunk == 0)) {
            throw new IllegalArgumentException("prefill chunk must be >= 0 (> 0 when aligned), was " + chunk);
        }
    }

    public static PrefillChunks of(int chunk, int threshold) {
        return new PrefillChunks(chunk, false, threshold);
    }

    public static PrefillChunks aligned(int block, int threshold) {
        return new PrefillChunks(block, true, threshold);
    }

    /** End (exclusive) of the run that starts at {@code start} in a prompt of {@code n} positions. */
    public int end(int start, int n) {
        if (start < 0 || start >= n) {
            throw new IllegalArgumentException("run start " + start + " outside a prompt of " + n);
        }
        if (chunk == 0) {
            return n;
        }
        long end = aligned ? ((long) start / chunk + 1) * chunk : (long) start + chunk;
        if (n > threshold && start <= threshold) { // long factors: this run's mask must be wider than the threshold
            end = Math.max(end, aligned ? firstLongEnd() : threshold + 1L);
        }
        return (int) Math.min(n, end);
    }

    /** Where the first run of a prompt longer than the threshold ends when aligned: the first block end past it. */
    long firstLongEnd() {
        return ((long) threshold / chunk + 1) * chunk;
    }
}

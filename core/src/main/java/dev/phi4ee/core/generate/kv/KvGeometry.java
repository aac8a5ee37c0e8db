package dev.phi4ee.core.generate.kv;

/**
 * The decoder's KV cache shape per token: keys and values of every layer, {@code kv_heads × head_size} elements each.
 *
 * @param elementBytes 2 for float16 (the release), 4 for float32
 */
public record KvGeometry(int layers, int kvHeads, int headSize, int elementBytes) {
    public KvGeometry {
        if (layers < 1 || kvHeads < 1 || headSize < 1 || elementBytes < 1) {
            throw new IllegalArgumentException("KV geometry must be positive: " + layers + " layers, " + kvHeads
                    + " kv heads, head size " + headSize + ", " + elementBytes + " bytes per element");
        }
    }

    /** 2 × layers × kv_heads × head_size × element size: 128 KiB for the release (32 × 8 × 128, fp16). */
    public long bytesPerToken() {
        return 2L * layers * kvHeads * headSize * elementBytes;
    }
}

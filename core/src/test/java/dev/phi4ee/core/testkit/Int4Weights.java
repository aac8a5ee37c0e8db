package dev.phi4ee.core.testkit;

/**
 * A float weight {@code W [K, N]} (MatMul's B) in ONNX Runtime's {@code com.microsoft.MatMulNBits} form with 4 bits,
 * block 32 and no zero-point input (reference §2.1 "int4 RTN block 32", §5.1): {@code packed} uint8
 * {@code [N, ceil(K/32), 16]} — column n's K values in blocks of 32, value 2j in the low nibble of byte j, 2j+1 in
 * the high nibble — and {@code scales [N · ceil(K/32)]}. Symmetric RTN as ONNX Runtime's blockwise quantizer does
 * it: per block, the value of largest magnitude v maps to code 0, scale = v / −8, code = clamp(round(w / scale) + 8,
 * 0, 15); a weight dequantizes to (code − 8) · scale (8 is MatMulNBits' default zero point).
 *
 * @param k input features (rows of W)
 * @param n output features (columns of W)
 * @param packed 4-bit codes, {@code n · blocks · 16} bytes
 * @param scales one per (column, block), already rounded to the storage type
 */
record Int4Weights(int k, int n, byte[] packed, float[] scales) {
    static final int BLOCK = 32;
    static final int ZERO_POINT = 8;

    static int blocks(int k) {
        return (k + BLOCK - 1) / BLOCK;
    }

    /**
     * Quantizes row-major {@code w [k, n]}; with {@code fp16Scales} each scale is rounded to float16 before the codes
     * are chosen, so the codes are the nearest ones for the scale the graph will hold.
     */
    static Int4Weights quantize(float[] w, int k, int n, boolean fp16Scales) {
        if (w.length != k * n) {
            throw new IllegalArgumentException(w.length + " values for [" + k + ", " + n + "]");
        }
        int blocks = blocks(k);
        byte[] packed = new byte[n * blocks * BLOCK / 2];
        float[] scales = new float[n * blocks];
        for (int col = 0; col < n; col++) {
            for (int b = 0; b < blocks; b++) {
                int first = b * BLOCK;
                int last = Math.min(k, first + BLOCK);
                float extreme = 0;
                for (int row = first; row < last; row++) {
                    float v = w[row * n + col];
                    if (Math.abs(v) > Math.abs(extreme)) {
                        extreme = v;
                    }
                }
                float scale = extreme == 0 ? 0 : extreme / -ZERO_POINT;
                if (fp16Scales) {
                    scale = SeededWeights.fp16Exact(scale);
                }
                scales[col * blocks + b] = scale;
                int base = (col * blocks + b) * BLOCK / 2;
                for (int row = first; row < last; row++) {
                    int code = scale == 0
                            ? ZERO_POINT
                            : Math.clamp(Math.round(w[row * n + col] / scale) + ZERO_POINT, 0, 15);
                    int j = row - first;
                    packed[base + j / 2] |= (byte) ((j & 1) == 0 ? code : code << 4);
                }
                // padding positions past K keep code 0; MatMulNBits ignores them (K is an attribute)
            }
        }
        return new Int4Weights(k, n, packed, scales);
    }

    /** The 4-bit code of {@code W[row, col]}. */
    int code(int row, int col) {
        int blocks = blocks(k);
        int j = row % BLOCK;
        int b = packed[(col * blocks + row / BLOCK) * BLOCK / 2 + j / 2] & 0xFF;
        return (j & 1) == 0 ? b & 0xF : b >>> 4;
    }

    /** Row-major {@code [k, n]} values the codes stand for: (code − 8) · scale. */
    float[] dequantized() {
        int blocks = blocks(k);
        float[] w = new float[k * n];
        for (int row = 0; row < k; row++) {
            for (int col = 0; col < n; col++) {
                w[row * n + col] = (code(row, col) - ZERO_POINT) * scales[col * blocks + row / BLOCK];
            }
        }
        return w;
    }
}

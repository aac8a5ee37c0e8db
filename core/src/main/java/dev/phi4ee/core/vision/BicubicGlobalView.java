package dev.phi4ee.core.vision;

/**
 * The global view of reference §7.6: the normalised, padded canvas resized to 448×448 the way
 * {@code torch.nn.functional.interpolate(mode="bicubic", align_corners=False)} does it on the CPU, written by hand
 * because Java2D's bicubic uses another kernel and antialiasing rules.
 *
 * <p>Per axis, in float32 like PyTorch's kernel: scale = in/out, src = scale·(d + 0.5) − 0.5, i0 = floor(src),
 * t = src − i0, four taps i0−1…i0+2 clamped to the edge, Keys cubic with A = −0.75. No antialiasing: a 3× downscale
 * still reads only four taps, reproducing the reference's aliasing. Rows are combined horizontally first, then the
 * four row results vertically, in PyTorch's summation order. The canvas is never materialised: samples come from
 * the resized 8-bit image through the normalisation table, the white padding is the table's value for 255.
 */
final class BicubicGlobalView {

    private static final float A = -0.75f;
    private static final int OUT = VisionProcessorConfig.CROP_SIZE;

    private BicubicGlobalView() {}

    /**
     * Renders the global view into {@code out}, planar {@code [3][448][448]}.
     *
     * @param resized the resized image, interleaved RGB, {@code resizedW × resizedH}
     * @param canvasW padded canvas width (448·gw)
     * @param canvasH padded canvas height (448·gh)
     * @param lut per-channel normalisation tables, {@code lut[c][v]} for sample v
     */
    static void render(
            byte[] resized, int resizedW, int resizedH, int canvasW, int canvasH, float[][] lut, float[] out) {
        Taps tx = Taps.of(canvasW, OUT);
        Taps ty = Taps.of(canvasH, OUT);
        // Horizontal pass for the (at most 4·448) distinct canvas rows the output reads; tap indices are
        // non-decreasing, so distinct rows are numbered in one sweep.
        int[] slot = new int[OUT * 4];
        int[] rows = new int[OUT * 4];
        int nRows = 0;
        for (int k = 0; k < OUT * 4; k++) {
            if (nRows == 0 || rows[nRows - 1] != ty.index[k]) {
                rows[nRows++] = ty.index[k];
            }
            slot[k] = nRows - 1;
        }
        float[] horiz = new float[3 * nRows * OUT];
        float[] rowVals = new float[canvasW];
        for (int c = 0; c < 3; c++) {
            float[] table = lut[c];
            float pad = table[255];
            for (int r = 0; r < nRows; r++) {
                int y = rows[r];
                if (y < resizedH) {
                    int p = y * resizedW * 3 + c;
                    for (int x = 0; x < resizedW; x++, p += 3) {
                        rowVals[x] = table[resized[p] & 0xFF];
                    }
                    java.util.Arrays.fill(rowVals, resizedW, canvasW, pad);
                } else {
                    java.util.Arrays.fill(rowVals, 0, canvasW, pad);
                }
                int o = (c * nRows + r) * OUT;
                for (int ox = 0; ox < OUT; ox++) {
                    int k = ox * 4;
                    float s = rowVals[tx.index[k]] * tx.weight[k];
                    s += rowVals[tx.index[k + 1]] * tx.weight[k + 1];
                    s += rowVals[tx.index[k + 2]] * tx.weight[k + 2];
                    s += rowVals[tx.index[k + 3]] * tx.weight[k + 3];
                    horiz[o + ox] = s;
                }
            }
        }
        for (int c = 0; c < 3; c++) {
            for (int oy = 0; oy < OUT; oy++) {
                int k = oy * 4;
                int r0 = (c * nRows + slot[k]) * OUT;
                int r1 = (c * nRows + slot[k + 1]) * OUT;
                int r2 = (c * nRows + slot[k + 2]) * OUT;
                int r3 = (c * nRows + slot[k + 3]) * OUT;
                float w0 = ty.weight[k];
                float w1 = ty.weight[k + 1];
                float w2 = ty.weight[k + 2];
                float w3 = ty.weight[k + 3];
                int o = (c * OUT + oy) * OUT;
                for (int ox = 0; ox < OUT; ox++) {
                    float s = horiz[r0 + ox] * w0;
                    s += horiz[r1 + ox] * w1;
                    s += horiz[r2 + ox] * w2;
                    s += horiz[r3 + ox] * w3;
                    out[o + ox] = s;
                }
            }
        }
    }

    /** Four clamped tap indices and float weights per output index. */
    record Taps(int[] index, float[] weight) {
        static Taps of(int inSize, int outSize) {
            float scale = (float) inSize / outSize;
            int[] index = new int[outSize * 4];
            float[] weight = new float[outSize * 4];
            for (int d = 0; d < outSize; d++) {
                float src = scale * (d + 0.5f) - 0.5f;
                int i0 = Math.min((int) Math.floor(src), inSize - 1);
                float t = Math.min(Math.max(src - i0, 0f), 1f);
                float x2 = 1f - t;
                weight[d * 4] = outer(t + 1f);
                weight[d * 4 + 1] = inner(t);
                weight[d * 4 + 2] = inner(x2);
                weight[d * 4 + 3] = outer(x2 + 1f);
                for (int j = 0; j < 4; j++) {
                    index[d * 4 + j] = Math.min(Math.max(i0 - 1 + j, 0), inSize - 1);
                }
            }
            return new Taps(index, weight);
        }

        /** Keys kernel for |x| ≤ 1. */
        private static float inner(float x) {
            return ((A + 2f) * x - (A + 3f)) * x * x + 1f;
        }

        /** Keys kernel for 1 < |x| < 2. */
        private static float outer(float x) {
            return ((A * x - 5f * A) * x + 8f * A) * x - 4f * A;
        }
    }
}

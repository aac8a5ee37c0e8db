package dev.phi4ee.core.vision;

/**
 * The HD resize of reference §7.4, written by hand to reproduce Pillow's {@code Image.resize(..., BILINEAR)} bit for
 * bit (libImaging/Resample.c): no Java library implements this antialiased variant (support grows with the
 * downscale factor), and Java2D's bilinear is a plain 2×2 interpolation that aliases on downscaling.
 *
 * <p>Per axis: scale = in/out, filter scale = max(scale, 1), support = filter scale, centre = (x + 0.5)·scale,
 * taps [trunc(centre − support + 0.5), trunc(centre + support + 0.5)) clipped to the image, triangle weights
 * normalised to 1 and converted to 22-bit fixed point. Horizontal pass first into an 8-bit intermediate, then the
 * vertical pass; each sum starts at ½ (rounding) and is clipped to 0…255. An axis whose size does not change is
 * not filtered at all, as in Pillow.
 */
final class BilinearAntialiasResizer {

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private BilinearAntialiasResizer() {}

    /** Resizes interleaved 8-bit RGB from {@code inW × inH} to {@code outW × outH}. */
    static byte[] resize(byte[] src, int inW, int inH, int outW, int outH) {
        byte[] horizontal = src;
        if (outW != inW) {
            horizontal = resizeHorizontal(src, inW, inH, outW, Coefficients.of(inW, outW));
        }
        if (outH != inH) {
            return resizeVertical(horizontal, outW, inH, outH, Coefficients.of(inH, outH));
        }
        return horizontal == src ? src.clone() : horizontal;
    }

    private static byte[] resizeHorizontal(byte[] src, int inW, int h, int outW, Coefficients co) {
        byte[] out = new byte[outW * h * 3];
        int[] kk = co.fixed;
        int ksize = co.ksize;
        for (int y = 0; y < h; y++) {
            int rowIn = y * inW * 3;
            int rowOut = y * outW * 3;
            for (int xx = 0; xx < outW; xx++) {
                int xmin = co.min[xx];
                int n = co.count[xx];
                int k0 = xx * ksize;
                int r = 1 << (PRECISION_BITS - 1);
                int g = r;
                int b = r;
                int p = rowIn + xmin * 3;
                for (int x = 0; x < n; x++, p += 3) {
                    int w = kk[k0 + x];
                    r += (src[p] & 0xFF) * w;
                    g += (src[p + 1] & 0xFF) * w;
                    b += (src[p + 2] & 0xFF) * w;
                }
                int o = rowOut + xx * 3;
                out[o] = clip8(r);
                out[o + 1] = clip8(g);
                out[o + 2] = clip8(b);
            }
        }
        return out;
    }

    private static byte[] resizeVertical(byte[] src, int w, int inH, int outH, Coefficients co) {
        int rowLen = w * 3;
        byte[] out = new byte[rowLen * outH];
        int[] acc = new int[rowLen];
        int[] kk = co.fixed;
        for (int yy = 0; yy < outH; yy++) {
            java.util.Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
            int ymin = co.min[yy];
            int n = co.count[yy];
            int k0 = yy * co.ksize;
            for (int y = 0; y < n; y++) {
                int wgt = kk[k0 + y];
                int p = (ymin + y) * rowLen;
                for (int i = 0; i < rowLen; i++) {
                    acc[i] += (src[p + i] & 0xFF) * wgt;
                }
            }
            int o = yy * rowLen;
            for (int i = 0; i < rowLen; i++) {
                out[o + i] = clip8(acc[i]);
            }
        }
        return out;
    }

    private static byte clip8(int v) {
        int s = v >> PRECISION_BITS;
        return (byte) (s < 0 ? 0 : Math.min(s, 255));
    }

    /** Pillow's {@code precompute_coeffs} + {@code normalize_coeffs_8bpc} for the triangle (bilinear) filter. */
    static final class Coefficients {
        final int ksize;
        final int[] min;
        final int[] count;
        final double[] weights;
        final int[] fixed;

        private Coefficients(int ksize, int[] min, int[] count, double[] weights, int[] fixed) {
            this.ksize = ksize;
            this.min = min;
            this.count = count;
            this.weights = weights;
            this.fixed = fixed;
        }

        static Coefficients of(int inSize, int outSize) {
            double scale = inSize / (double) outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = 1.0 * filterScale; // bilinear support is 1
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] min = new int[outSize];
            int[] count = new int[outSize];
            double[] weights = new double[outSize * ksize];
            int[] fixed = new int[outSize * ksize];
            double ss = 1.0 / filterScale;
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                int xmin = Math.max((int) (center - support + 0.5), 0); // (int) truncates toward zero, as C
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                double ww = 0.0;
                int k0 = xx * ksize;
                for (int x = 0; x < xmax; x++) {
                    double w = triangle((x + xmin - center + 0.5) * ss);
                    weights[k0 + x] = w;
                    ww += w;
                }
                for (int x = 0; x < xmax; x++) {
                    if (ww != 0.0) {
                        weights[k0 + x] /= ww;
                    }
                }
                min[xx] = xmin;
                count[xx] = xmax;
            }
            for (int i = 0; i < fixed.length; i++) {
                double k = weights[i] * (1 << PRECISION_BITS);
                fixed[i] = (int) (k < 0 ? -0.5 + k : 0.5 + k);
            }
            return new Coefficients(ksize, min, count, weights, fixed);
        }

        private static double triangle(double x) {
            double a = Math.abs(x);
            return a < 1.0 ? 1.0 - a : 0.0;
        }
    }
}

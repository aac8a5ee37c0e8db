package dev.phi4ee.core.vision;

/**
 * Straightforward double-precision versions of the reference formulas (§7.4, §7.6), written independently of the
 * production code's fixed-point, separable, table-driven implementation: a full 2D weighted sum per output pixel.
 */
final class ReferenceMath {

    private ReferenceMath() {}

    /** Antialiased triangle resize of one channel, weights normalised per output pixel, rounded to 8 bits once. */
    static int[][] bilinearAntialias(RgbImage img, int c, int outW, int outH) {
        double[][] wx = triangleWeights(img.width(), outW);
        double[][] wy = triangleWeights(img.height(), outH);
        int[][] nzX = nonZero(wx);
        int[][] nzY = nonZero(wy);
        int[][] out = new int[outH][outW];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                double s = 0;
                for (int sy : nzY[y]) {
                    for (int sx : nzX[x]) {
                        s += wy[y][sy] * wx[x][sx] * img.sample(sx, sy, c);
                    }
                }
                out[y][x] = (int) Math.max(0, Math.min(255, Math.round(s)));
            }
        }
        return out;
    }

    /** Indices of the non-zero weights of each output (skipping zeros changes no sum). */
    private static int[][] nonZero(double[][] w) {
        int[][] nz = new int[w.length][];
        for (int o = 0; o < w.length; o++) {
            int[] idx = new int[w[o].length];
            int n = 0;
            for (int i = 0; i < w[o].length; i++) {
                if (w[o][i] != 0) {
                    idx[n++] = i;
                }
            }
            nz[o] = java.util.Arrays.copyOf(idx, n);
        }
        return nz;
    }

    /** w[o][i]: weight of input i in output o; triangle of half-width max(1, in/out) around (o + 0.5)·in/out. */
    private static double[][] triangleWeights(int in, int out) {
        if (in == out) {
            double[][] id = new double[out][in];
            for (int i = 0; i < in; i++) {
                id[i][i] = 1;
            }
            return id;
        }
        double scale = (double) in / out;
        double support = Math.max(1.0, scale);
        double[][] w = new double[out][in];
        for (int o = 0; o < out; o++) {
            double centre = (o + 0.5) * scale;
            double sum = 0;
            for (int i = 0; i < in; i++) {
                double d = Math.abs(i + 0.5 - centre) / support;
                w[o][i] = d < 1 ? 1 - d : 0;
                sum += w[o][i];
            }
            for (int i = 0; i < in; i++) {
                w[o][i] /= sum;
            }
        }
        return w;
    }

    /** Normalised value of an 8-bit sample: ×1/255, mean 0.5, std 0.5. */
    static double normalise(int v) {
        return v / 127.5 - 1.0;
    }

    /** Keys cubic kernel, A = −0.75. */
    static double cubic(double x) {
        double a = -0.75;
        x = Math.abs(x);
        if (x <= 1) {
            return ((a + 2) * x - (a + 3)) * x * x + 1;
        }
        if (x < 2) {
            return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
        }
        return 0;
    }

    /** Bicubic (half-pixel centres, edge clamp, no antialias) of a canvas[y][x] to out × out, direct 4×4 sums. */
    static double[][] bicubic(double[][] canvas, int out) {
        int inH = canvas.length;
        int inW = canvas[0].length;
        double[][] res = new double[out][out];
        for (int oy = 0; oy < out; oy++) {
            double sy = (double) inH / out * (oy + 0.5) - 0.5;
            int y0 = (int) Math.floor(sy);
            for (int ox = 0; ox < out; ox++) {
                double sx = (double) inW / out * (ox + 0.5) - 0.5;
                int x0 = (int) Math.floor(sx);
                double s = 0;
                for (int j = -1; j <= 2; j++) {
                    int yy = Math.max(0, Math.min(inH - 1, y0 + j));
                    for (int i = -1; i <= 2; i++) {
                        int xx = Math.max(0, Math.min(inW - 1, x0 + i));
                        s += cubic(sy - (y0 + j)) * cubic(sx - (x0 + i)) * canvas[yy][xx];
                    }
                }
                res[oy][ox] = s;
            }
        }
        return res;
    }
}

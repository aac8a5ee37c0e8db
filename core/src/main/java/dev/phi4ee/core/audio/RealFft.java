package dev.phi4ee.core.audio;

/**
 * Forward FFT of a real sequence of power-of-two length n, in double precision (§8.4 computes the STFT in float64).
 *
 * <p>Hand-written rather than taken from a library: the transforms here are tiny (512 or 256 points), a library such
 * as commons-math3 allocates a {@code Complex} per bin, and this form needs no allocation per frame. The real input is
 * packed into an n/2-point complex FFT (even samples real, odd samples imaginary) and split afterwards, which halves
 * the work. Instances hold only immutable tables and are safe to share; callers pass their own scratch arrays.
 */
final class RealFft {
    private final int n;
    private final int half;
    private final int[] bitReverse;
    /** Twiddles of the n/2-point complex FFT: cos and −sin of 2πk/(n/2), k &lt; n/4. */
    private final double[] cosHalf;

    private final double[] sinHalf;
    /** Twiddles of the split step: cos and −sin of 2πk/n, k ≤ n/2. */
    private final double[] cosFull;

    private final double[] sinFull;

    RealFft(int n) {
        if (n < 4 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("FFT size must be a power of two >= 4, was " + n);
        }
        this.n = n;
        this.half = n / 2;
        int bits = Integer.numberOfTrailingZeros(half);
        bitReverse = new int[half];
        for (int i = 0; i < half; i++) {
            bitReverse[i] = bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits);
        }
        cosHalf = new double[Math.max(1, half / 2)];
        sinHalf = new double[cosHalf.length];
        for (int k = 0; k < half / 2; k++) {
            double a = 2 * Math.PI * k / half;
            cosHalf[k] = Math.cos(a);
            sinHalf[k] = -Math.sin(a);
        }
        cosFull = new double[half + 1];
        sinFull = new double[half + 1];
        for (int k = 0; k <= half; k++) {
            double a = 2 * Math.PI * k / n;
            cosFull[k] = Math.cos(a);
            sinFull[k] = -Math.sin(a);
        }
    }

    int size() {
        return n;
    }

    /** Number of output bins, n/2 + 1. */
    int bins() {
        return half + 1;
    }

    /**
     * Transforms {@code x[0..n)} (left unchanged) into {@code re[0..n/2]} and {@code im[0..n/2]}; {@code zr} and
     * {@code zi} are scratch arrays of length ≥ n/2.
     */
    void forward(double[] x, double[] re, double[] im, double[] zr, double[] zi) {
        for (int i = 0; i < half; i++) {
            int j = bitReverse[i];
            zr[j] = x[2 * i];
            zi[j] = x[2 * i + 1];
        }
        // Iterative radix-2 decimation-in-time butterflies on the bit-reversed packed sequence.
        for (int size = 2; size <= half; size <<= 1) {
            int step = half / size;
            int h = size >> 1;
            for (int start = 0; start < half; start += size) {
                for (int k = 0; k < h; k++) {
                    double wr = cosHalf[k * step];
                    double wi = sinHalf[k * step];
                    int a = start + k;
                    int b = a + h;
                    double tr = zr[b] * wr - zi[b] * wi;
                    double ti = zr[b] * wi + zi[b] * wr;
                    zr[b] = zr[a] - tr;
                    zi[b] = zi[a] - ti;
                    zr[a] += tr;
                    zi[a] += ti;
                }
            }
        }
        // Split: E[k] = (Z[k] + conj Z[m−k]) / 2 is the FFT of the even samples, O[k] = (Z[k] − conj Z[m−k]) / 2i that
        // of the odd ones; X[k] = E[k] + e^{−2πik/n} O[k] for k = 0 … n/2 (Z is m-periodic, m = n/2).
        for (int k = 0; k <= half; k++) {
            int a = k % half;
            int b = (half - k) % half;
            double er = 0.5 * (zr[a] + zr[b]);
            double ei = 0.5 * (zi[a] - zi[b]);
            double or = 0.5 * (zi[a] + zi[b]);
            double oi = -0.5 * (zr[a] - zr[b]);
            double wr = cosFull[k];
            double wi = sinFull[k];
            re[k] = er + or * wr - oi * wi;
            im[k] = ei + or * wi + oi * wr;
        }
    }
}

package dev.phi4ee.core.audio;

/**
 * The original SpeechLib-style mel filter bank of reference §8.5: 16 kHz, 512-point FFT, triangles in mel space with
 * mel(f) = 1127·ln(1 + f/700), 0–7690 Hz, no area normalisation, FFT bins {@code [trunc(fmin·n/sr + 0.5) + 1,
 * trunc(fmax·n/sr + 0.5))}.
 *
 * <p>Written from its definition rather than taken from an audio library: the libraries' banks (Slaney/HTK, or the
 * kaldi bank Hugging Face uses) differ in normalisation or in the last bin (HF has W[79, 246] ≠ 0), and parity with
 * the original bank is the requirement. Stored sparsely: each filter is non-zero on a short run of bins only.
 */
final class MelFilterBank {
    static final int SAMPLE_RATE = 16000;
    static final int FFT_SIZE = 512;
    static final double F_MIN = 0;
    static final double F_MAX = 7690;

    private final int filters;
    private final int bins;
    private final int[] firstBin;
    private final float[][] weights;

    MelFilterBank(int filters) {
        this.filters = filters;
        this.bins = FFT_SIZE / 2 + 1;
        float[][] dense = dense(filters);
        firstBin = new int[filters];
        weights = new float[filters][];
        for (int m = 0; m < filters; m++) {
            int lo = 0;
            while (lo < bins && dense[m][lo] == 0f) {
                lo++;
            }
            int hi = bins;
            while (hi > lo && dense[m][hi - 1] == 0f) {
                hi--;
            }
            firstBin[m] = lo;
            weights[m] = java.util.Arrays.copyOfRange(dense[m], lo, hi);
        }
    }

    static double mel(double hz) {
        return 1127.0 * Math.log(1.0 + hz / 700.0);
    }

    /** The bank as a dense {@code [filters][257]} float32 matrix, computed in double as the definition states. */
    static float[][] dense(int filters) {
        int bins = FFT_SIZE / 2 + 1;
        int klo = (int) (F_MIN * FFT_SIZE / SAMPLE_RATE + 0.5) + 1;
        int khi = Math.max((int) (F_MAX * FFT_SIZE / SAMPLE_RATE + 0.5), klo);
        double mlo = mel(F_MIN);
        double mhi = mel(F_MAX);
        double spacing = (mhi - mlo) / (filters + 1);
        float[][] w = new float[filters][bins];
        for (int m = 0; m < filters; m++) {
            double left = mlo + m * spacing;
            double centre = mlo + (m + 1) * spacing;
            double right = mlo + (m + 2) * spacing;
            for (int k = klo; k < khi; k++) {
                double b = 1127.0 * Math.log(1.0 + k * (double) SAMPLE_RATE / (FFT_SIZE * 700.0));
                if (left < b && b < right) {
                    w[m][k] = (float) (1.0 - Math.abs(centre - b) / spacing);
                }
            }
        }
        return w;
    }

    int filters() {
        return filters;
    }

    /** Writes ln(max(P·Wᵀ, 1)) of one power spectrum (257 bins) into {@code out[offset … offset + filters)} (§8.6). */
    void logMel(float[] power, float[] out, int offset) {
        for (int m = 0; m < filters; m++) {
            float[] w = weights[m];
            int k0 = firstBin[m];
            double sum = 0;
            for (int j = 0; j < w.length; j++) {
                sum += (double) power[k0 + j] * w[j];
            }
            float energy = (float) sum;
            out[offset + m] = energy > 1f ? (float) Math.log(energy) : 0f;
        }
    }
}

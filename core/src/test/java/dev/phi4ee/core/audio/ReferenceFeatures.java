package dev.phi4ee.core.audio;

/**
 * An independent, deliberately plain float64 computation of reference §8.3–8.7: direct DFT (no FFT), mel bank from
 * the closed form evaluated per (filter, bin), every step in double. Slow, only for tests.
 */
final class ReferenceFeatures {
    private ReferenceFeatures() {}

    /** mel(f) = 1127·ln(1 + f/700). */
    static double mel(double hz) {
        return 1127 * Math.log(1 + hz / 700);
    }

    /** W[m][k] of the original bank: 0–7690 Hz, bins 1…245, triangles in mel space (§8.5). */
    static double weight(int m, int k) {
        if (k < 1 || k > 245) {
            return 0;
        }
        double ms = mel(7690) / 81;
        double b = mel(k * 31.25);
        double lower = m * ms;
        double upper = (m + 2) * ms;
        if (b <= lower || b >= upper) {
            return 0;
        }
        return 1 - Math.abs((m + 1) * ms - b) / ms;
    }

    /** Features [T][80] of a 16 kHz (n_fft 512, window 400, hop 160) or 8 kHz fill-zero (256, 200, 80) signal. */
    static double[][] compute(float[] x, int rate) {
        int window = rate == 16000 ? 400 : 200;
        int hop = rate == 16000 ? 160 : 80;
        int nFft = rate == 16000 ? 512 : 256;
        int keptBins = rate == 16000 ? 257 : 128;
        int frames = x.length < window ? 0 : (x.length - window) / hop + 1;
        double[][] out = new double[frames][80];
        double[] y = new double[window];
        double[] power = new double[257];
        double[] cos = new double[nFft];
        double[] sin = new double[nFft];
        for (int j = 0; j < nFft; j++) {
            cos[j] = Math.cos(2 * Math.PI * j / nFft);
            sin[j] = -Math.sin(2 * Math.PI * j / nFft);
        }
        for (int t = 0; t < frames; t++) {
            int s = t * hop;
            for (int i = 0; i < window; i++) {
                double prev = i == 0 ? x[s] : x[s + i - 1];
                double hamming = 0.54 - 0.46 * Math.cos(2 * Math.PI * i / (window - 1));
                y[i] = (x[s + i] - 0.97 * prev) * 32768 * hamming;
            }
            java.util.Arrays.fill(power, 0);
            for (int k = 0; k < keptBins; k++) {
                double re = 0;
                double im = 0;
                for (int i = 0; i < window; i++) {
                    int j = (k * i) % nFft; // e^{−2πi·k·i/n} from an exact table index
                    re += y[i] * cos[j];
                    im += y[i] * sin[j];
                }
                power[k] = re * re + im * im;
            }
            for (int m = 0; m < 80; m++) {
                double e = 0;
                for (int k = 0; k < 257; k++) {
                    e += power[k] * weight(m, k);
                }
                out[t][m] = Math.log(Math.max(e, 1));
            }
        }
        return out;
    }
}

package dev.phi4ee.core.audio;

import dev.phi4ee.core.audio.SpeechProcessorConfig.FeaturePath;

/**
 * Log-mel features of one path (reference §8.3–8.7): frames of {@code window} samples every {@code hop}, per-frame
 * pre-emphasis 0.97 (first sample: 0.03·x[0]), ×32768, symmetric Hamming, zero-padded real FFT, power, the 16 kHz mel
 * bank, ln(max(·, 1)). A path whose FFT is smaller than the bank's (the 8 kHz path, n_fft 256) is the "fill-zero"
 * path: its bins 0 … n/2−1 land on the same 31.25 Hz grid, its Nyquist bin and everything above are zero (§8.7).
 *
 * <p>Immutable and thread-safe; each call allocates its own few-kilobyte scratch.
 */
final class LogMelExtractor {
    /** Receives one frame of features at a time, so callers can write straight into their output buffer. */
    @FunctionalInterface
    interface FrameSink {
        void accept(int frame, float[] features);
    }

    private static final float PREEMPHASIS = 0.97f;
    private static final float SCALE = 32768f;

    private final FeaturePath path;
    private final MelFilterBank bank;
    private final RealFft fft;
    private final double[] window;
    /** Power bins taken from this path's FFT; the rest of the bank's 257 bins stay 0. */
    private final int keptBins;

    LogMelExtractor(FeaturePath path, MelFilterBank bank) {
        if (path.fftSize() > MelFilterBank.FFT_SIZE) {
            throw new IllegalArgumentException("FFT size " + path.fftSize() + " exceeds the mel bank's 512");
        }
        this.path = path;
        this.bank = bank;
        this.fft = new RealFft(path.fftSize());
        this.window = hamming(path.windowLength());
        // Full-size path: all n/2 + 1 bins. Fill-zero path: bins 0 … n/2 − 1; its Nyquist bin is zeroed (§8.7).
        this.keptBins = path.fftSize() == MelFilterBank.FFT_SIZE ? fft.bins() : fft.bins() - 1;
    }

    /** Symmetric Hamming in float64, w[0] = 0.08 (§8.1). */
    static double[] hamming(int length) {
        double[] w = new double[length];
        for (int i = 0; i < length; i++) {
            w[i] = 0.54 - 0.46 * Math.cos(2 * Math.PI * i / (length - 1));
        }
        return w;
    }

    FeaturePath path() {
        return path;
    }

    int melBins() {
        return bank.filters();
    }

    int frameCount(int samples) {
        return path.frameCount(samples);
    }

    /** Features {@code [T, melBins]} row-major of the whole signal. */
    float[] extract(float[] samples) {
        int frames = frameCount(samples.length);
        int mels = bank.filters();
        float[] out = new float[frames * mels];
        extract(samples, (t, row) -> System.arraycopy(row, 0, out, t * mels, mels));
        return out;
    }

    /** Computes every frame and hands each to {@code sink}; the row array is reused between calls. */
    void extract(float[] samples, FrameSink sink) {
        int frames = frameCount(samples.length);
        int n = fft.size();
        int windowLength = path.windowLength();
        int hop = path.hopLength();
        double[] frame = new double[n];
        double[] re = new double[n / 2 + 1];
        double[] im = new double[n / 2 + 1];
        double[] zr = new double[n / 2];
        double[] zi = new double[n / 2];
        float[] power = new float[MelFilterBank.FFT_SIZE / 2 + 1];
        float[] row = new float[bank.filters()];
        for (int t = 0; t < frames; t++) {
            int start = t * hop;
            // Pre-emphasis in float32 as the original does it on float32 frames; the window product is float64.
            // The frame's first sample uses itself as predecessor: y[0] = x[0] − 0.97·x[0].
            float prev = samples[start];
            for (int i = 0; i < windowLength; i++) {
                float x = samples[start + i];
                float y = (x - PREEMPHASIS * prev) * SCALE;
                frame[i] = window[i] * y;
                prev = x;
            }
            // frame[windowLength … n) stays 0: the zero padding of the FFT.
            fft.forward(frame, re, im, zr, zi);
            for (int k = 0; k < keptBins; k++) {
                // The spectrum is rounded to complex64 and the power taken in float32 (§8.4).
                float r = (float) re[k];
                float m = (float) im[k];
                power[k] = r * r + m * m;
            }
            bank.logMel(power, row, 0);
            sink.accept(t, row);
        }
    }
}

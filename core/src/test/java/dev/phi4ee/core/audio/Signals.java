package dev.phi4ee.core.audio;

import java.util.Random;

/** Synthesised test signals in [−1, 1]: tones, chirps, noise and speech-like formant mixtures. */
final class Signals {
    private Signals() {}

    static float[] tone(double hz, double amplitude, int rate, int samples) {
        float[] x = new float[samples];
        for (int n = 0; n < samples; n++) {
            x[n] = (float) (amplitude * Math.sin(2 * Math.PI * hz * n / rate));
        }
        return x;
    }

    /** Linear chirp from f0 to f1 over the signal. */
    static float[] chirp(double f0, double f1, double amplitude, int rate, int samples) {
        float[] x = new float[samples];
        double duration = samples / (double) rate;
        for (int n = 0; n < samples; n++) {
            double t = n / (double) rate;
            x[n] = (float) (amplitude * Math.sin(2 * Math.PI * (f0 * t + (f1 - f0) * t * t / (2 * duration))));
        }
        return x;
    }

    static float[] noise(long seed, double amplitude, int samples) {
        Random r = new Random(seed);
        float[] x = new float[samples];
        for (int n = 0; n < samples; n++) {
            x[n] = (float) (amplitude * (2 * r.nextDouble() - 1));
        }
        return x;
    }

    /**
     * A vowel-like signal: a 120 Hz glottal pulse train (harmonics with 1/k roll-off) shaped by three formant
     * resonances (700, 1220, 2600 Hz), with a slow amplitude envelope.
     */
    static float[] formants(int rate, int samples) {
        double f0 = 120;
        double[] formant = {700, 1220, 2600};
        double[] bandwidth = {130, 70, 160};
        float[] x = new float[samples];
        double peak = 0;
        double[] y = new double[samples];
        for (int k = 1; k * f0 < rate / 2.0; k++) {
            double f = k * f0;
            double gain = 0;
            for (int i = 0; i < formant.length; i++) {
                double d = (f - formant[i]) / bandwidth[i];
                gain += 1 / (1 + d * d);
            }
            gain /= k;
            for (int n = 0; n < samples; n++) {
                y[n] += gain * Math.sin(2 * Math.PI * f * n / rate + 0.3 * k);
            }
        }
        for (int n = 0; n < samples; n++) {
            y[n] *= 0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * n / rate);
            peak = Math.max(peak, Math.abs(y[n]));
        }
        for (int n = 0; n < samples; n++) {
            x[n] = (float) (0.7 * y[n] / peak);
        }
        return x;
    }

    /** Interleaves channels. */
    static float[] interleave(float[]... channels) {
        int n = channels[0].length;
        float[] out = new float[n * channels.length];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < channels.length; c++) {
                out[i * channels.length + c] = channels[c][i];
            }
        }
        return out;
    }

    /** Rounds to the 16-bit grid (what a 16-bit file stores), so decoded values can be compared exactly. */
    static float[] quantize16(float[] x) {
        float[] q = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            q[i] = toPcm16(x[i]) / 32768f;
        }
        return q;
    }

    static short toPcm16(float v) {
        return (short) Math.max(-32768, Math.min(32767, Math.round(v * 32768.0)));
    }
}

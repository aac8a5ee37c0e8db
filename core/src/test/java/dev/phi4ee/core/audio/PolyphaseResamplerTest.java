package dev.phi4ee.core.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The rational Kaiser-sinc resampler (§8.2): tone fidelity, alias suppression, parity with 3:1 decimation. */
class PolyphaseResamplerTest {

    static float[] resample(float[] x, int up, int down, int blockSize) {
        float[][] out = {new float[16]};
        int[] length = {0};
        PolyphaseResampler r = new PolyphaseResampler(up, down, (block, count) -> {
            if (length[0] + count > out[0].length) {
                out[0] = Arrays.copyOf(out[0], Math.max(2 * out[0].length, length[0] + count));
            }
            System.arraycopy(block, 0, out[0], length[0], count);
            length[0] += count;
        });
        for (int i = 0; i < x.length; i += blockSize) {
            r.push(x, i, Math.min(blockSize, x.length - i));
        }
        r.finish();
        return Arrays.copyOf(out[0], length[0]);
    }

    @ParameterizedTest(name = "1 kHz tone @ {0} Hz → 16 kHz")
    @ValueSource(ints = {44100, 48000, 22050, 11025, 32000, 96000, 24000, 12000})
    void toneKeepsFrequencyAndAmplitudeWithoutAliases(int rate) {
        float[] x = Signals.tone(1000, 0.5, rate, rate); // 1 s
        float[] y = resample(x, 16000, rate, 4096);
        assertThat(y).hasSize(16000);
        // Skip the filter's edge transients (10·L/down output samples, 10 here) with margin.
        float[] mid = Arrays.copyOfRange(y, 200, 15800);
        double[] fit = fitSinusoid(mid, 1000, 16000, 200);
        double amplitude = Math.hypot(fit[0], fit[1]);
        // Kaiser β = 5 passband ripple is about ±0.2 % (stop band ≈ −54 dB): amplitude within 0.5 %.
        assertThat(amplitude).isCloseTo(0.5, within(0.5 * 5e-3));
        double residualDb = 10 * Math.log10(fit[2] / (amplitude * amplitude / 2));
        assertThat(residualDb)
                .as("alias/imaging energy relative to the tone, dB")
                .isLessThan(-60);
        // Frequency: the best-fitting sinusoid on a 0.1 Hz grid is at 1000 Hz.
        double best = 0;
        double bestResidual = Double.MAX_VALUE;
        for (double f = 998; f <= 1002.0001; f += 0.1) {
            double r = fitSinusoid(mid, f, 16000, 200)[2];
            if (r < bestResidual) {
                bestResidual = r;
                best = f;
            }
        }
        assertThat(best).isCloseTo(1000, within(0.05));
    }

    /** Least-squares a·sin + b·cos at {@code hz}: {a, b, mean squared residual}. */
    static double[] fitSinusoid(float[] y, double hz, int rate, int offset) {
        double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
        for (int n = 0; n < y.length; n++) {
            double p = 2 * Math.PI * hz * (n + offset) / rate;
            double s = Math.sin(p);
            double c = Math.cos(p);
            ss += s * s;
            cc += c * c;
            sc += s * c;
            ys += y[n] * s;
            yc += y[n] * c;
        }
        double det = ss * cc - sc * sc;
        double a = (ys * cc - yc * sc) / det;
        double b = (yc * ss - ys * sc) / det;
        double residual = 0;
        for (int n = 0; n < y.length; n++) {
            double p = 2 * Math.PI * hz * (n + offset) / rate;
            double e = y[n] - a * Math.sin(p) - b * Math.cos(p);
            residual += e * e;
        }
        return new double[] {a, b, residual / y.length};
    }

    @Test
    void fortyEightToSixteenEqualsPlainThreeToOneDecimation() {
        float[] x = Signals.noise(5, 0.8, 48000 / 4 + 7);
        float[] y = resample(x, 16000, 48000, 1000);
        // Direct form of scipy's resample_poly(x, 1, 3): h = Kaiser(β 5)-windowed sinc, 61 taps, cutoff 1/3 of
        // Nyquist, unit DC gain; y[m] = Σ x[n]·h[3m − n + 30]. I0 here by numerical integration, independently.
        int taps = 61;
        double[] h = new double[taps];
        double sum = 0;
        for (int i = 0; i < taps; i++) {
            double m = i - 30;
            double r = m / 30;
            double window = i0ByIntegration(5 * Math.sqrt(1 - r * r)) / i0ByIntegration(5);
            double arg = m / 3;
            h[i] = (arg == 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg)) / 3 * window;
            sum += h[i];
        }
        assertThat(y).hasSize((x.length + 2) / 3);
        for (int m = 0; m < y.length; m++) {
            double acc = 0;
            for (int n = 0; n < x.length; n++) {
                int k = 3 * m - n + 30;
                if (k >= 0 && k < taps) {
                    acc += x[n] * h[k] / sum;
                }
            }
            assertThat((double) y[m]).as("y[%d]", m).isCloseTo(acc, within(1e-6));
        }
    }

    private static double i0ByIntegration(double x) {
        // I0(x) = (1/π)∫₀^π exp(x·cos θ) dθ, trapezoid rule (spectrally accurate for this periodic integrand).
        int steps = 400;
        double s = 0;
        for (int i = 0; i <= steps; i++) {
            double w = i == 0 || i == steps ? 0.5 : 1;
            s += w * Math.exp(x * Math.cos(Math.PI * i / steps));
        }
        return s / steps;
    }

    @Test
    void streamingInAnyBlockSizeGivesIdenticalOutput() {
        float[] x = Signals.noise(9, 0.5, 30011);
        float[] whole = resample(x, 160, 441, x.length);
        for (int block : new int[] {1, 7, 160, 441, 4096}) {
            assertThat(resample(x, 160, 441, block)).as("block %d", block).containsExactly(whole);
        }
    }

    @Test
    void outputLengthIsCeilOfNTimesUpOverDown() {
        for (int n : new int[] {1, 2, 3, 440, 441, 442, 10_000}) {
            assertThat(resample(new float[n], 160, 441, 100)).hasSize((int) Math.ceil(n * 160 / 441.0));
            assertThat(PolyphaseResampler.outputLength(n, 16000, 44100)).isEqualTo((long) Math.ceil(n * 160 / 441.0));
        }
    }

    @Test
    void prototypeIsSymmetricWithGainUp() {
        double[] h = PolyphaseResampler.prototype(160, 441);
        assertThat(h).hasSize(2 * 4410 + 1);
        double sum = 0;
        for (int i = 0; i < h.length; i++) {
            assertThat(h[i]).isCloseTo(h[h.length - 1 - i], within(1e-15));
            sum += h[i];
        }
        assertThat(sum).isCloseTo(160, within(1e-9));
        assertThat(PolyphaseResampler.besselI0(5)).isCloseTo(i0ByIntegration(5), within(1e-10));
    }
}

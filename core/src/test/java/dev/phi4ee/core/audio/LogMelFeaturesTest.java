package dev.phi4ee.core.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Features against reference §8.10 (counts), §8.11 (computed check values) and an independent float64 DFT. */
class LogMelFeaturesTest {
    private static final double LOG_TOLERANCE = 2e-3;
    private final AudioPreprocessor preprocessor = AudioPreprocessor.withDefaults();

    private static DecodedAudio clip(float[] samples, int rate) {
        return new DecodedAudio(samples, rate, rate, 1, "test");
    }

    @ParameterizedTest(name = "{0} samples @ {1} Hz → {2} frames, {3} tokens")
    @CsvSource({
        "16000, 16000, 98, 13", // 1.0 s
        "59200, 16000, 368, 46", // 3.7 s
        "480000, 16000, 2998, 375", // 30 s
        "16000, 8000, 198, 25", // 2.0 s @ 8 kHz fill-zero
        "32000, 16000, 198, 25", // 2.0 s @ 8 kHz resampled to 16 kHz
        "93680, 16000, 584, 73",
        "400, 16000, 1, 1",
        "559, 16000, 1, 1",
        "560, 16000, 2, 1",
        "200, 8000, 1, 1"
    })
    void workedExamplesFramesAndTokens(int samples, int rate, int frames, int tokens) {
        DecodedAudio audio = clip(new float[samples], rate);
        assertThat(preprocessor.frameCount(audio)).isEqualTo(frames);
        assertThat(preprocessor.tokenCount(audio)).isEqualTo(tokens);
        if (samples <= 60_000) {
            assertThat(preprocessor.features(audio)).hasSize(frames * 80);
        }
    }

    @Test
    void eightKilohertzResampledToSixteenGivesTheWorkedExampleCounts() {
        DecodedAudio audio = preprocessor.fromSamples(new float[16000], 11025, "x"); // resampled to 16 kHz
        assertThat(audio.sampleRate()).isEqualTo(16000);
        assertThat(audio.samples()).hasSize((int) Math.ceil(16000 * 16000 / 11025.0));
    }

    @Test
    void silenceIsExactlyZero() {
        float[] f = preprocessor.features(clip(new float[16000], 16000));
        assertThat(f).hasSize(98 * 80).containsOnly(0f);
    }

    @Test
    void oneKilohertzToneMatchesTheComputedCheckValues16k() {
        float[] f = preprocessor.features(clip(Signals.tone(1000, 0.5, 16000, 16000), 16000));
        assertThat(f).hasSize(98 * 80);
        double[] expected = {
            12.0194, 12.2820, 12.7645, 13.1036, 12.6179, 12.2440, 12.1210, 12.8304, 13.5688, 13.6619, 12.6267, 12.0632
        };
        for (int m = 0; m < expected.length; m++) {
            assertThat((double) f[m]).as("bin %d", m).isCloseTo(expected[m], within(2e-4));
        }
        assertMax(f, 0, 28, 27.0677);
        // Period 16 divides the hop: every frame is identical.
        for (int t = 1; t < 98; t++) {
            for (int m = 0; m < 80; m++) {
                assertThat(f[t * 80 + m]).isCloseTo(f[m], within(1e-4f));
            }
        }
    }

    @Test
    void oneKilohertzToneMatchesTheComputedCheckValues8kFillZero() {
        float[] f = preprocessor.features(clip(Signals.tone(1000, 0.5, 8000, 16000), 8000));
        assertThat(f).hasSize(198 * 80);
        assertMax(f, 0, 28, 27.0204);
        assertThat((double) f[60]).isCloseTo(14.4626, within(2e-4));
        assertThat((double) f[61]).isCloseTo(13.4950, within(2e-4));
        for (int t = 0; t < 198; t++) {
            for (int m = 62; m < 80; m++) {
                assertThat(f[t * 80 + m]).as("frame %d bin %d", t, m).isZero();
            }
        }
    }

    private static void assertMax(float[] f, int frame, int bin, double value) {
        int arg = 0;
        for (int m = 1; m < 80; m++) {
            if (f[frame * 80 + m] > f[frame * 80 + arg]) {
                arg = m;
            }
        }
        assertThat(arg).isEqualTo(bin);
        assertThat((double) f[frame * 80 + arg]).isCloseTo(value, within(2e-4));
    }

    @ParameterizedTest(name = "{0} @ {1} Hz")
    @CsvSource({
        "tone440, 16000",
        "tone3100, 16000",
        "tone7400, 16000",
        "chirp, 16000",
        "noise, 16000",
        "quietNoise, 16000",
        "formants, 16000",
        "mixture, 16000",
        "tone440, 8000",
        "tone3100, 8000",
        "chirp, 8000",
        "noise, 8000",
        "formants, 8000",
        "mixture, 8000"
    })
    void featuresMatchAnIndependentDoublePrecisionDft(String signal, int rate) {
        float[] x = signal(signal, rate, rate * 6 / 10);
        float[] actual = preprocessor.features(clip(x, rate));
        double[][] expected = ReferenceFeatures.compute(x, rate);
        assertThat(actual).hasSize(expected.length * 80);
        double maxError = 0;
        for (int t = 0; t < expected.length; t++) {
            for (int m = 0; m < 80; m++) {
                maxError = Math.max(maxError, Math.abs(actual[t * 80 + m] - expected[t][m]));
            }
        }
        assertThat(maxError).as("max |log-mel error|").isLessThanOrEqualTo(LOG_TOLERANCE);
        // The comparison must not be vacuous: the signal has energy in many channels.
        long active = 0;
        for (double[] row : expected) {
            for (double v : row) {
                active += v > 1 ? 1 : 0;
            }
        }
        assertThat(active).isGreaterThan(expected.length * 10L);
    }

    static float[] signal(String name, int rate, int samples) {
        return switch (name) {
            case "tone440" -> Signals.tone(440, 0.8, rate, samples);
            case "tone3100" -> Signals.tone(3100, 0.3, rate, samples);
            case "tone7400" -> Signals.tone(7400, 0.3, rate, samples);
            case "chirp" -> Signals.chirp(50, rate / 2.0 - 100, 0.5, rate, samples);
            case "noise" -> Signals.noise(42, 0.5, samples);
            case "quietNoise" -> Signals.noise(7, 2e-4, samples);
            case "formants" -> Signals.formants(rate, samples);
            case "mixture" ->
                mix(List.of(
                        Signals.formants(rate, samples),
                        Signals.noise(3, 0.05, samples),
                        Signals.chirp(200, 3000, 0.2, rate, samples)));
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static float[] mix(List<float[]> parts) {
        float[] out = new float[parts.get(0).length];
        for (float[] p : parts) {
            for (int i = 0; i < out.length; i++) {
                out[i] += p[i] / parts.size();
            }
        }
        return out;
    }
}

package dev.phi4ee.core.audio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.testkit.GoldenInputs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Comparison with references produced by scipy and numpy (core/src/test/resources/golden/make_golden.py) from the
 * integer test signal both sides compute ({@link GoldenInputs#signal}). Always on; {@link NumpyDifferentialTest}
 * stays as a second line where a Python with scipy is installed.
 */
class GoldenAudioTest {

    /**
     * Against {@code scipy.signal.resample_poly} (float64, cast to float32), every rate to 16 kHz
     * (docs/decisions/audio-resampler.md). The filters agree to the last bits of a
     * double but not in them (scipy's Kaiser window and sinc round differently, upfirdn sums in another order), so a
     * float32 output may land one unit in the last place (ulp) away: bound 1 ulp, far below what any change to the
     * filter design, phase or length produces (measured: all outputs identical).
     */
    @ParameterizedTest(name = "{0} Hz")
    @CsvSource({"44100, 4410, 16000", "48000, 4800, 16000", "22050, 2205, 16000", "11025, 1103, 16000"})
    void resamplerEqualsScipyResamplePoly(int rate, int samples, int target) {
        float[] expected = GoldenInputs.floats("resample-" + rate + ".f32");
        DecodedAudio audio =
                AudioPreprocessor.withDefaults().fromSamples(GoldenInputs.signal(rate, samples), rate, "r");
        assertThat(audio.sampleRate()).isEqualTo(target);
        float[] actual = audio.samples();
        assertThat(actual).hasSameSizeAs(expected);
        int differing = 0;
        for (int i = 0; i < expected.length; i++) {
            differing += actual[i] == expected[i] ? 0 : 1;
            assertThat(Math.abs(actual[i] - expected[i]))
                    .as("%d Hz output %d: %s vs scipy %s", rate, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(Math.ulp(expected[i]));
        }
        System.out.printf(
                "resampler %d Hz: %d of %d outputs differ from scipy (by 1 ulp)%n", rate, differing, actual.length);
    }

    /**
     * Against the original processor's numpy float32 pipeline. The FFT is a different algorithm (numpy's pocketfft),
     * the power is |S| squared there and re² + im² here, and the mel product sums 257 float32 terms in BLAS order:
     * each step is within a few float32 ulps, so log-mel values (0…~30, ulp ≤ 1.9e-6) agree within 1e-5 absolute
     * (measured: 1.9e-6, one ulp); a one-sample shift, another window or pre-emphasis moves them by 1e-3 or more.
     * Silent frames are exactly 0 on both sides. Java's arithmetic is the same on every machine, and the reference
     * is fixed, so the measured difference cannot drift with the CI machine.
     */
    @ParameterizedTest(name = "{0} Hz")
    @CsvSource({"16000, 4000", "8000, 2000"})
    void logMelEqualsNumpyFloat32Pipeline(int rate, int samples) {
        float[] expected = GoldenInputs.floats("logmel-" + rate + ".f32");
        float[] x = GoldenInputs.signal(rate, samples);
        float[] actual = AudioPreprocessor.withDefaults().features(new DecodedAudio(x, rate, rate, 1, "golden"));
        assertThat(actual).hasSameSizeAs(expected);
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] == 0f) {
                assertThat(actual[i])
                        .as("frame %d mel %d (silence or fill-zero)", i / 80, i % 80)
                        .isZero();
            }
            max = Math.max(max, Math.abs(actual[i] - expected[i]));
        }
        System.out.printf("log-mel %d Hz: max |Java - numpy| = %.3g%n", rate, max);
        assertThat(max)
                .as("max |Java − numpy| over %d values at %d Hz", expected.length, rate)
                .isLessThan(1e-5);
    }
}

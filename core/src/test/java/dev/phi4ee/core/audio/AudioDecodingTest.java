package dev.phi4ee.core.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.phi4ee.core.api.Media;
import java.util.Arrays;
import javax.sound.sampled.AudioFormat.Encoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every supported container and encoding, generated in the test, decoded to the expected mono 16/8 kHz samples. */
class AudioDecodingTest {
    private final AudioPreprocessor preprocessor = AudioPreprocessor.withDefaults();

    private DecodedAudio decode(byte[] bytes) {
        return preprocessor.decode(new Media(bytes, null, "fixture"));
    }

    @ParameterizedTest(name = "{0}-bit PCM WAV, {1} ch @ {2} Hz")
    @CsvSource({
        "16, 1, 16000",
        "16, 2, 16000",
        "8, 1, 16000",
        "24, 1, 16000",
        "32, 1, 16000",
        "24, 2, 8000",
        "16, 1, 8000"
    })
    void pcmWavDecodesExactly(int bits, int channels, int rate) {
        float[] left = Signals.formants(rate, rate / 2);
        float[] right = Signals.tone(300, 0.25, rate, rate / 2);
        float[] interleaved = channels == 1 ? left : Signals.interleave(left, right);
        DecodedAudio audio = decode(AudioFixtures.pcmWav(interleaved, channels, rate, bits));
        assertThat(audio.sampleRate()).isEqualTo(rate);
        assertThat(audio.sourceChannels()).isEqualTo(channels);
        assertThat(audio.samples()).containsExactly(expectedMono(interleaved, channels, bits));
    }

    /** Mean of the channels of the dequantized samples, as the accumulator computes it. */
    private static float[] expectedMono(float[] interleaved, int channels, int bits) {
        float[] q = AudioFixtures.dequantized(interleaved, bits);
        float[] mono = new float[q.length / channels];
        for (int i = 0; i < mono.length; i++) {
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += q[i * channels + c];
            }
            mono[i] = (float) (sum / channels);
        }
        return mono;
    }

    @Test
    void sixteenBitSamplesAreDividedBy32768() {
        float[] x = {0.5f, -1f, 32767 / 32768f, 1 / 32768f};
        DecodedAudio audio = decode(AudioFixtures.pcmWav(pad(x, 400), 1, 16000, 16));
        assertThat(Arrays.copyOf(audio.samples(), 4)).containsExactly(0.5f, -1f, 32767 / 32768f, 1 / 32768f);
    }

    private static float[] pad(float[] x, int length) {
        return Arrays.copyOf(x, Math.max(length, x.length));
    }

    @Test
    void floatWavKeepsItsSamples() {
        float[] x = Signals.chirp(100, 7000, 0.9, 16000, 8000);
        DecodedAudio audio = decode(AudioFixtures.floatWav(x, 1, 16000));
        assertThat(audio.samples()).containsExactly(x);
    }

    @ParameterizedTest(name = "{0} WAV @ 8 kHz (telephone)")
    @ValueSource(strings = {"ULAW", "ALAW"})
    void g711TelephoneWavDecodesToTheFillZeroPath(String law) {
        Encoding encoding = law.equals("ULAW") ? Encoding.ULAW : Encoding.ALAW;
        float[] x = Signals.formants(8000, 16000); // 2 s
        DecodedAudio audio = decode(AudioFixtures.g711Wav(x, 1, 8000, encoding));
        assertThat(audio.sampleRate()).isEqualTo(8000);
        assertThat(audio.samples()).hasSize(16000);
        assertThat(snrDb(x, audio.samples())).as("G.711 SNR").isGreaterThan(30);
        assertThat(preprocessor.frameCount(audio)).isEqualTo(198);
        assertThat(preprocessor.tokenCount(audio)).isEqualTo(25);
    }

    @Test
    void stereoG711IsMixedToMono() {
        float[] l = Signals.tone(500, 0.4, 8000, 8000);
        float[] r = Signals.tone(900, 0.4, 8000, 8000);
        DecodedAudio audio = decode(AudioFixtures.g711Wav(Signals.interleave(l, r), 2, 8000, Encoding.ULAW));
        float[] mean = new float[l.length];
        for (int i = 0; i < l.length; i++) {
            mean[i] = (l[i] + r[i]) / 2;
        }
        assertThat(audio.sourceChannels()).isEqualTo(2);
        assertThat(snrDb(mean, audio.samples())).isGreaterThan(30);
    }

    static double snrDb(float[] reference, float[] actual) {
        assertThat(actual).hasSameSizeAs(reference);
        double signal = 0;
        double noise = 0;
        for (int i = 0; i < reference.length; i++) {
            signal += reference[i] * (double) reference[i];
            double d = reference[i] - (double) actual[i];
            noise += d * d;
        }
        return 10 * Math.log10(signal / noise);
    }

    @ParameterizedTest(name = "16-bit WAV @ {0} Hz is resampled to 16 kHz")
    @ValueSource(ints = {44100, 48000, 22050, 11025, 32000})
    void otherRatesAreResampledTo16k(int rate) {
        float[] x = Signals.formants(rate, rate * 3 / 4);
        DecodedAudio audio = decode(AudioFixtures.pcmWav(Signals.interleave(x, x), 2, rate, 16));
        assertThat(audio.sampleRate()).isEqualTo(16000);
        assertThat(audio.sourceSampleRate()).isEqualTo(rate);
        float[] expected = PolyphaseResamplerTest.resample(AudioFixtures.dequantized(x, 16), 16000, rate, 1 << 20);
        assertThat(audio.samples()).containsExactly(expected);
    }

    @ParameterizedTest(name = "FLAC {0}-bit, {1} ch @ {2} Hz, length in STREAMINFO: {3}")
    @CsvSource({"16, 1, 16000, true", "16, 2, 16000, false", "24, 2, 16000, true", "16, 1, 8000, true"})
    void flacDecodesLosslessly(int bits, int channels, int rate, boolean withLength) {
        float[] a = Signals.formants(rate, rate);
        float[] b = Signals.noise(4, 0.3, rate);
        float[] interleaved = channels == 1 ? a : Signals.interleave(a, b);
        DecodedAudio audio = decode(AudioFixtures.flac(interleaved, channels, rate, bits, withLength));
        assertThat(audio.sampleRate()).isEqualTo(rate);
        assertThat(audio.samples()).containsExactly(expectedMono(interleaved, channels, bits));
    }

    @Test
    void flacAt44100IsResampled() {
        float[] x = Signals.tone(1000, 0.5, 44100, 44100);
        DecodedAudio audio = decode(AudioFixtures.flac(x, 1, 44100, 16, true));
        assertThat(audio.sampleRate()).isEqualTo(16000);
        assertThat(audio.samples()).hasSize(16000);
    }

    @ParameterizedTest(name = "MP3 {1} ch @ {0} Hz")
    @CsvSource({"16000, 1, 64", "44100, 2, 128", "8000, 1, 32", "22050, 1, 64"})
    void mp3DecodesTheTone(int rate, int channels, int kbps) {
        float[] tone = Signals.tone(1000, 0.5, rate, rate * 2);
        float[] interleaved = channels == 1 ? tone : Signals.interleave(tone, tone);
        DecodedAudio audio = decode(AudioFixtures.mp3(interleaved, channels, rate, kbps));
        int expectedRate = rate == 8000 ? 8000 : 16000;
        assertThat(audio.sampleRate()).isEqualTo(expectedRate);
        assertThat(audio.sourceSampleRate()).isEqualTo(rate);
        // Encoder delay and frame padding add up to a few frames of 1152 samples.
        double seconds = audio.durationSeconds();
        assertThat(seconds).isBetween(2.0, 2.0 + 4 * 1152.0 / rate);
        // The middle second carries the 1 kHz tone at its amplitude, with little else.
        float[] mid = Arrays.copyOfRange(audio.samples(), expectedRate / 2, expectedRate * 3 / 2);
        double[] fit = PolyphaseResamplerTest.fitSinusoid(mid, 1000, expectedRate, 0);
        double amplitude = Math.hypot(fit[0], fit[1]);
        assertThat(amplitude).isCloseTo(0.5, within(0.05));
        assertThat(10 * Math.log10(fit[2] / (amplitude * amplitude / 2))).isLessThan(-20);
    }

    @Test
    void declaredMimeTypeIsOnlyAFallback() {
        float[] x = Signals.tone(440, 0.5, 16000, 800);
        byte[] wav = AudioFixtures.pcmWav(x, 1, 16000, 16);
        DecodedAudio audio = preprocessor.decode(new Media(wav, "audio/mpeg", "mislabelled.mp3"));
        assertThat(audio.samples()).hasSize(800);
    }

    @Test
    void streamingWavWithPlaceholderLengthDecodes() {
        float[] x = Signals.tone(440, 0.5, 16000, 1600);
        byte[] wav = AudioFixtures.rawWav(1, 1, 16000, 16, AudioFixtures.pcm16Bytes(x), 0xFFFF_FFFFL);
        assertThat(decode(wav).samples()).containsExactly(AudioFixtures.dequantized(x, 16));
    }
}

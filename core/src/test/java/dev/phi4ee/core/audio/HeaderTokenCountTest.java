package dev.phi4ee.core.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import java.time.Duration;
import javax.sound.sampled.AudioFormat.Encoding;
import org.junit.jupiter.api.Test;

/**
 * The audio token count read from the headers before decoding (issue 12: the context check runs before any media is
 * decoded) is exactly the count of the decoded recording, for every container, rate and length: the early check is
 * exact, not an estimate.
 */
class HeaderTokenCountTest {
    private final AudioPreprocessor pre = AudioPreprocessor.withDefaults();

    private void assertExact(String what, byte[] data) {
        Media media = new Media(data, null, what);
        int decoded = pre.tokenCount(pre.decode(media));
        assertThat(pre.tokenCountFromHeaders(media)).as(what).hasValue(decoded);
    }

    private static float[] interleaved(int rate, double seconds, int channels) {
        int frames = (int) Math.round(rate * seconds);
        float[] mono = Signals.tone(440, 0.3, rate, frames);
        float[] out = new float[frames * channels];
        for (int i = 0; i < frames; i++) {
            for (int c = 0; c < channels; c++) {
                out[i * channels + c] = mono[i] * (c + 1) / channels;
            }
        }
        return out;
    }

    @Test
    void wavAtEveryRateAndLength() {
        int[] rates = {8000, 11025, 12000, 16000, 22050, 44100, 48000};
        double[] seconds = {0.03, 1.0, 3.7, 2.03};
        for (int rate : rates) {
            for (double s : seconds) {
                for (int channels : new int[] {1, 2}) {
                    assertExact(
                            rate + " Hz " + s + " s " + channels + " ch",
                            AudioFixtures.pcmWav(interleaved(rate, s, channels), channels, rate, 16));
                }
            }
        }
        assertExact("µ-law 8 kHz", AudioFixtures.g711Wav(interleaved(8000, 1.7, 1), 1, 8000, Encoding.ULAW));
        assertExact("float 48 kHz", AudioFixtures.floatWav(interleaved(48000, 0.9, 2), 2, 48000));
        assertExact("24-bit 44.1 kHz", AudioFixtures.pcmWav(interleaved(44100, 1.1, 1), 1, 44100, 24));
    }

    @Test
    void wavWithAStreamingWritersPlaceholderLength() {
        byte[] pcm = AudioFixtures.pcm16Bytes(interleaved(16000, 1.3, 1));
        assertExact("placeholder", AudioFixtures.rawWav(1, 1, 16000, 16, pcm, 0xFFFFFFFFL));
    }

    @Test
    void flacWithItsLengthAndWithout() {
        for (int rate : new int[] {8000, 16000, 22050, 44100}) {
            assertExact("flac " + rate, AudioFixtures.flac(interleaved(rate, 2.3, 2), 2, rate, 16, true));
        }
        Media streamed = Media.of(AudioFixtures.flac(interleaved(16000, 1.0, 1), 1, 16000, 16, false));
        assertThat(pre.tokenCountFromHeaders(streamed)).isEmpty();
    }

    @Test
    void mp3FromItsFrameHeaders() {
        // MPEG-1 (32/44.1/48 kHz, 1152 samples per frame), MPEG-2 (16/22.05/24 kHz, 576) and MPEG-2.5 (8 kHz).
        for (int rate : new int[] {8000, 16000, 22050, 32000, 44100, 48000}) {
            for (int channels : new int[] {1, 2}) {
                assertExact(
                        "mp3 " + rate + " Hz " + channels + " ch",
                        AudioFixtures.mp3(interleaved(rate, 1.9, channels), channels, rate, rate < 32000 ? 32 : 128));
            }
        }
    }

    @Test
    void anMp3OverTheDurationLimitIsRefusedFromItsFrameHeaders() {
        AudioPreprocessor strict = new AudioPreprocessor(SpeechProcessorConfig.defaults(), Duration.ofSeconds(1));
        byte[] mp3 = AudioFixtures.mp3(interleaved(16000, 2.5, 1), 1, 16000, 32);
        assertThatThrownBy(() -> strict.tokenCountFromHeaders(new Media(mp3, null, "long.mp3")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("long.mp3")
                .hasMessageContaining("its header declares");
    }
}

package dev.phi4ee.core.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad input gets a typed, clear error and leaves the preprocessor usable. */
class AudioInputErrorsTest {
    private final AudioPreprocessor preprocessor = AudioPreprocessor.withDefaults();

    private void assertRejected(byte[] bytes, String... messageParts) {
        assertThatThrownBy(() -> preprocessor.decode(new Media(bytes, null, "bad.bin")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("audio bad.bin: ")
                .hasMessageContainingAll(messageParts);
    }

    @AfterEach
    void stillUsableAfterwards() {
        float[] x = Signals.tone(440, 0.5, 16000, 3200);
        DecodedAudio ok = preprocessor.decode(Media.of(AudioFixtures.pcmWav(x, 1, 16000, 16)));
        assertThat(preprocessor.tokenCount(ok)).isEqualTo(3); // 18 frames
    }

    @Test
    void emptyInput() {
        assertRejected(new byte[0], "empty input");
    }

    @Test
    void unrecognisedBytes() {
        assertRejected("just some text, not audio".getBytes(java.nio.charset.StandardCharsets.UTF_8), "unrecognised");
    }

    @Test
    void imageInsteadOfAudio() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0};
        assertRejected(png, "PNG", "not audio");
    }

    @Test
    void wavWithNoSamples() {
        assertRejected(AudioFixtures.pcmWav(new float[0], 1, 16000, 16), "no audio samples");
    }

    @Test
    void shorterThanOneWindow16k() {
        byte[] wav = AudioFixtures.pcmWav(Signals.tone(440, 0.5, 16000, 399), 1, 16000, 16);
        assertThatThrownBy(() -> preprocessor.decode(new Media(wav, null, "short.wav")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContainingAll("short.wav", "too short", "399 samples", "at least 400 samples");
    }

    @Test
    void shorterThanOneWindow8k() {
        byte[] wav = AudioFixtures.pcmWav(Signals.tone(440, 0.5, 8000, 199), 1, 8000, 16);
        assertRejected(wav, "too short", "at least 200 samples");
    }

    @Test
    void exactlyOneWindowIsAccepted() {
        byte[] wav = AudioFixtures.pcmWav(Signals.tone(440, 0.5, 16000, 400), 1, 16000, 16);
        DecodedAudio audio = preprocessor.decode(Media.of(wav));
        assertThat(preprocessor.frameCount(audio)).isEqualTo(1);
    }

    @Test
    void nanInFloatWav() {
        float[] x = Signals.tone(440, 0.5, 16000, 1600);
        x[1234] = Float.NaN;
        assertRejected(AudioFixtures.floatWav(x, 1, 16000), "sample 1234", "NaN");
    }

    @Test
    void infinityInFloatWav() {
        float[] x = Signals.tone(440, 0.5, 16000, 1600);
        x[7] = Float.NEGATIVE_INFINITY;
        assertRejected(AudioFixtures.floatWav(x, 1, 16000), "sample 7", "Infinity");
    }

    @Test
    void unsupportedWavCodec() {
        // Format tag 0x0011 = IMA ADPCM.
        byte[] wav = AudioFixtures.rawWav(0x0011, 1, 8000, 4, new byte[4000], 4000);
        assertRejected(wav, "unsupported WAV codec 0x0011 (IMA ADPCM)");
    }

    @Test
    void truncatedWav() {
        byte[] wav = AudioFixtures.pcmWav(Signals.tone(440, 0.5, 16000, 16000), 1, 16000, 16);
        assertRejected(Arrays.copyOf(wav, wav.length / 2), "truncated WAV", "16000 frames");
    }

    @Test
    void absurdChannelCount() {
        byte[] wav = AudioFixtures.rawWav(1, 0xFFFF, 16000, 16, new byte[0xFFFF * 2 * 2], 0xFFFF * 2 * 2);
        assertRejected(wav, "channel count 65535");
    }

    @Test
    void sampleRateZero() {
        byte[] wav = AudioFixtures.rawWav(1, 1, 0, 16, new byte[3200], 3200);
        assertRejected(wav, "implausible sample rate 0 Hz");
    }

    @Test
    void absurdSampleRate() {
        byte[] wav = AudioFixtures.rawWav(1, 1, Integer.MAX_VALUE, 16, new byte[3200], 3200);
        assertRejected(wav, "implausible sample rate 2147483647 Hz");
    }

    @Test
    void oddHighSampleRateWithoutAUsableRatio() {
        byte[] wav = AudioFixtures.rawWav(1, 1, 96001, 16, new byte[3200], 3200);
        assertRejected(wav, "96001 Hz", "no usable rational ratio");
    }

    @Test
    void oddLowSampleRateIsResampled() {
        byte[] wav = AudioFixtures.rawWav(1, 1, 8001, 16, new byte[16002], 16002);
        DecodedAudio audio = preprocessor.decode(Media.of(wav));
        assertThat(audio.sampleRate()).isEqualTo(16000);
        assertThat(audio.samples()).hasSize((int) Math.ceil(8001 * 16000 / 8001.0));
    }

    @Test
    void sampleRateBelow8k() {
        byte[] wav = AudioFixtures.pcmWav(Signals.tone(440, 0.5, 6000, 6000), 1, 6000, 16);
        assertRejected(wav, "6000 Hz", "below 8000 Hz");
    }

    @Test
    void corruptRiffBody() {
        byte[] wav = AudioFixtures.pcmWav(Signals.tone(440, 0.5, 16000, 1600), 1, 16000, 16);
        byte[] corrupt = Arrays.copyOf(wav, 40);
        Arrays.fill(corrupt, 12, 40, (byte) 0x5A); // "fmt " chunk destroyed
        assertRejected(corrupt, "WAV");
    }

    @Test
    void corruptFlacFrame() {
        byte[] flac = AudioFixtures.flac(Signals.formants(16000, 16000), 1, 16000, 16, true);
        byte[] corrupt = flac.clone();
        for (int i = corrupt.length / 2; i < corrupt.length / 2 + 64; i++) {
            corrupt[i] ^= (byte) 0xA5;
        }
        assertRejected(corrupt, "FLAC");
    }

    @Test
    void everySingleByteFlipInFlacAudioIsDetected() {
        // jFLAC alone returns a frame with a CRC mismatch as zeros; the decoder must reject it instead.
        byte[] flac = AudioFixtures.flac(Signals.formants(16000, 16000), 1, 16000, 16, true);
        for (int k = 1; k <= 20; k++) {
            byte[] corrupt = flac.clone();
            corrupt[flac.length * k / 22 + 100] ^= 0x10;
            assertThatThrownBy(() -> preprocessor.decode(new Media(corrupt, null, "flip.flac")))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("FLAC");
        }
    }

    @Test
    void truncatedFlac() {
        byte[] flac = AudioFixtures.flac(Signals.formants(16000, 16000), 1, 16000, 16, true);
        assertRejected(Arrays.copyOf(flac, flac.length * 2 / 3), "FLAC");
    }

    @Test
    void flacHeaderOnly() {
        assertRejected(new byte[] {'f', 'L', 'a', 'C', 0, 0}, "FLAC");
    }

    @Test
    void mp3WithoutFrames() {
        byte[] id3 = new byte[400];
        System.arraycopy(new byte[] {'I', 'D', '3', 3, 0, 0, 0, 0, 0, 10}, 0, id3, 0, 10);
        assertRejected(id3, "MP3");
    }

    @Test
    void tooLongIsRejectedFromTheHeader() {
        AudioPreprocessor limited = new AudioPreprocessor(SpeechProcessorConfig.defaults(), Duration.ofSeconds(1));
        byte[] wav = AudioFixtures.pcmWav(Signals.tone(440, 0.5, 16000, 32000), 1, 16000, 16);
        assertThatThrownBy(() -> limited.decode(Media.of(wav)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContainingAll("maximum audio duration of 1.0 s", "header declares 2.0 s");
        byte[] flac = AudioFixtures.flac(Signals.tone(440, 0.5, 16000, 32000), 1, 16000, 16, true);
        assertThatThrownBy(() -> limited.decode(Media.of(flac)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("header declares 2.0 s");
    }

    @Test
    void tooLongWithoutALengthHeaderStopsWhileDecoding() {
        AudioPreprocessor limited = new AudioPreprocessor(SpeechProcessorConfig.defaults(), Duration.ofSeconds(1));
        byte[] mp3 = AudioFixtures.mp3(Signals.tone(440, 0.5, 16000, 48000), 1, 16000, 32);
        assertThatThrownBy(() -> limited.decode(Media.of(mp3)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContainingAll("maximum audio duration", "decoding passed 1.0 s");
    }

    @Test
    void fromSamplesAppliesTheSameRules() {
        assertThatThrownBy(() -> preprocessor.fromSamples(new float[100], 16000, "pcm"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("too short");
        assertThatThrownBy(() -> preprocessor.fromSamples(new float[8000], 4000, "pcm"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("below 8000 Hz");
    }

    @Test
    void preprocessRejectsClipsWithoutFrames() {
        DecodedAudio empty = new DecodedAudio(new float[10], 16000, 16000, 1, "tiny");
        assertThatThrownBy(() ->
                        preprocessor.preprocess(java.util.List.of(empty), dev.phi4ee.core.api.TensorFloatType.FLOAT16))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("tiny: too short");
    }
}

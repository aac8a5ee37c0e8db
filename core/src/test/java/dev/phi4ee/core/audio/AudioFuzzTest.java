package dev.phi4ee.core.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import java.time.Duration;
import java.util.Random;
import javax.sound.sampled.AudioFormat.Encoding;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Damaged files (random byte flips, truncations, spliced garbage) either decode or fail with an
 * {@link InvalidInputException}; no other exception, no hang, and the preprocessor keeps working.
 */
class AudioFuzzTest {
    private static final int CASES = 150;

    @ParameterizedTest
    @ValueSource(strings = {"wav16", "wavFloat", "ulaw", "flac", "mp3"})
    void damagedInputFailsCleanly(String kind) {
        AudioPreprocessor preprocessor =
                new AudioPreprocessor(SpeechProcessorConfig.defaults(), Duration.ofSeconds(20));
        byte[] original = fixture(kind);
        Random random = new Random(kind.hashCode());
        int rejected = 0;
        for (int c = 0; c < CASES; c++) {
            byte[] damaged = damage(original, random);
            boolean ok = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                try {
                    preprocessor.decode(new Media(damaged, null, "fuzz"));
                    return true;
                } catch (InvalidInputException e) {
                    assertThat(e.getMessage()).startsWith("audio fuzz: ");
                    return false;
                }
            });
            rejected += ok ? 0 : 1;
        }
        assertThat(rejected).as("damaged inputs rejected").isPositive();
        assertThat(preprocessor.decode(new Media(original, null, "intact")).samples())
                .isNotEmpty();
    }

    private static byte[] fixture(String kind) {
        float[] x = Signals.formants(16000, 8000);
        return switch (kind) {
            case "wav16" -> AudioFixtures.pcmWav(x, 1, 16000, 16);
            case "wavFloat" -> AudioFixtures.floatWav(x, 1, 16000);
            case "ulaw" -> AudioFixtures.g711Wav(Signals.formants(8000, 4000), 1, 8000, Encoding.ULAW);
            case "flac" -> AudioFixtures.flac(Signals.interleave(x, x), 2, 16000, 16, true);
            case "mp3" -> AudioFixtures.mp3(x, 1, 16000, 32);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static byte[] damage(byte[] original, Random random) {
        byte[] d = original.clone();
        switch (random.nextInt(4)) {
            case 0 -> { // flip bytes anywhere, headers included
                for (int i = 0; i < 1 + random.nextInt(8); i++) {
                    d[random.nextInt(Math.min(d.length, 256))] ^= (byte) (1 + random.nextInt(255));
                }
            }
            case 1 -> { // flip bytes in the body
                for (int i = 0; i < 1 + random.nextInt(32); i++) {
                    d[random.nextInt(d.length)] = (byte) random.nextInt(256);
                }
            }
            case 2 -> d = java.util.Arrays.copyOf(d, random.nextInt(d.length)); // truncate
            default -> { // overwrite a run with garbage
                int start = random.nextInt(d.length);
                int end = Math.min(d.length, start + random.nextInt(512));
                for (int i = start; i < end; i++) {
                    d[i] = (byte) random.nextInt(256);
                }
            }
        }
        return d;
    }
}

package dev.phi4ee.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.audio.AudioPreprocessor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreprocessAudioCommandTest {
    @TempDir
    Path dir;

    /** A 16-bit mono WAV of a tone, written by javax.sound. */
    private Path wav(String name, int rate, int samples, double hz) throws IOException {
        ByteBuffer pcm = ByteBuffer.allocate(samples * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int n = 0; n < samples; n++) {
            pcm.putShort((short) Math.round(16000 * Math.sin(2 * Math.PI * hz * n / rate)));
        }
        AudioFormat format = new AudioFormat(rate, 16, 1, true, false);
        Path file = dir.resolve(name);
        AudioSystem.write(
                new AudioInputStream(new ByteArrayInputStream(pcm.array()), format, samples),
                AudioFileFormat.Type.WAVE,
                file.toFile());
        return file;
    }

    /** Parses an .npy file: returns {descr, shape string} and leaves the buffer at the data. */
    private static String[] header(ByteBuffer npy) {
        byte[] magic = new byte[6];
        npy.get(magic);
        assertThat(magic).containsExactly((byte) 0x93, 'N', 'U', 'M', 'P', 'Y');
        assertThat(npy.get()).isEqualTo((byte) 1);
        assertThat(npy.get()).isEqualTo((byte) 0);
        int length = npy.order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
        byte[] text = new byte[length];
        npy.get(text);
        String dict = new String(text, StandardCharsets.US_ASCII);
        assertThat((10 + length) % 64).isZero();
        assertThat(dict).endsWith("\n").contains("'fortran_order': False");
        String descr = dict.replaceAll(".*'descr': '([^']*)'.*\\s*", "$1");
        String shape = dict.replaceAll(".*'shape': \\(([^)]*)\\).*\\s*", "$1");
        return new String[] {descr, shape};
    }

    @Test
    void writesEmbedsSizesAndMask() throws IOException {
        Path a = wav("a.wav", 16000, 16000, 1000); // 98 frames, 13 tokens
        Path b = wav("b.wav", 8000, 4000, 440); // 48 frames, 6 tokens
        Path out = dir.resolve("out");
        int code = Phi4Cli.run("preprocess-audio", "--out", out.toString(), a.toString(), b.toString());
        assertThat(code).isZero();

        ByteBuffer embeds = ByteBuffer.wrap(Files.readAllBytes(out.resolve("audio_embeds.npy")));
        assertThat(header(embeds)).containsExactly("<f4", "2, 98, 80");
        embeds.order(ByteOrder.LITTLE_ENDIAN);
        float[] expected = AudioPreprocessor.withDefaults()
                .features(AudioPreprocessor.withDefaults().decode(Media.of(a)));
        int base = embeds.position();
        for (int i = 0; i < 98 * 80; i++) {
            assertThat(embeds.getFloat(base + 4 * i)).isEqualTo(expected[i]);
        }
        assertThat(embeds.getFloat(base + 4 * ((98 + 48) * 80)))
                .as("padding of clip b")
                .isZero();
        assertThat(embeds.remaining()).isEqualTo(2 * 98 * 80 * 4);

        ByteBuffer sizes = ByteBuffer.wrap(Files.readAllBytes(out.resolve("audio_sizes.npy")));
        assertThat(header(sizes)).containsExactly("<i8", "2,");
        sizes.order(ByteOrder.LITTLE_ENDIAN);
        assertThat(sizes.getLong()).isEqualTo(13);
        assertThat(sizes.getLong()).isEqualTo(6);

        ByteBuffer mask = ByteBuffer.wrap(Files.readAllBytes(out.resolve("audio_attention_mask.npy")));
        assertThat(header(mask)).containsExactly("|b1", "2, 98");
        int ones = 0;
        while (mask.hasRemaining()) {
            ones += mask.get();
        }
        assertThat(ones).isEqualTo(98 + 48);
    }

    @Test
    void badInputGivesAnErrorAndExitCode1() throws IOException {
        Path bad = dir.resolve("bad.wav");
        Files.write(bad, new byte[] {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E'});
        int code = Phi4Cli.run("preprocess-audio", "--out", dir.resolve("o").toString(), bad.toString());
        assertThat(code).isEqualTo(1);
        assertThat(dir.resolve("o")).doesNotExist();
    }
}

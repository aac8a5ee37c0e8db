package dev.phi4ee.core.audio;

import de.sciss.jump3r.lowlevel.LameEncoder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioFormat.Encoding;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import net.sourceforge.javaflacencoder.FLACEncoder;
import net.sourceforge.javaflacencoder.FLACFileOutputStream;
import net.sourceforge.javaflacencoder.FLACStreamOutputStream;
import net.sourceforge.javaflacencoder.StreamConfiguration;

/**
 * Audio files generated in the test, never downloaded: WAV through javax.sound (PCM, float, µ-law, A-law), FLAC
 * through java-flac-encoder, MP3 through jump3r (a Java port of LAME), and hand-built WAV headers for malformed
 * inputs.
 */
final class AudioFixtures {
    private AudioFixtures() {}

    /** Integer PCM WAV of {@code bits} (8 = unsigned, 16/24/32 signed little-endian) written by javax.sound. */
    static byte[] pcmWav(float[] interleaved, int channels, int rate, int bits) {
        int bytes = bits / 8;
        ByteBuffer b = ByteBuffer.allocate(interleaved.length * bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : interleaved) {
            long q = quantize(v, bits);
            if (bits == 8) {
                b.put((byte) (q + 128));
            } else {
                for (int i = 0; i < bytes; i++) {
                    b.put((byte) (q >> (8 * i)));
                }
            }
        }
        Encoding enc = bits == 8 ? Encoding.PCM_UNSIGNED : Encoding.PCM_SIGNED;
        return writeWav(new AudioFormat(enc, rate, bits, channels, channels * bytes, rate, false), b.array());
    }

    /** The value a {@code bits}-bit file stores for v. */
    static long quantize(float v, int bits) {
        long full = 1L << (bits - 1);
        return Math.max(-full, Math.min(full - 1, Math.round(v * (double) full)));
    }

    /** What decoding a {@code bits}-bit PCM file of these samples must give. */
    static float[] dequantized(float[] x, int bits) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (quantize(x[i], bits) / (double) (1L << (bits - 1)));
        }
        return out;
    }

    /** IEEE float32 WAV written by javax.sound. */
    static byte[] floatWav(float[] interleaved, int channels, int rate) {
        ByteBuffer b = ByteBuffer.allocate(interleaved.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : interleaved) {
            b.putFloat(v);
        }
        return writeWav(new AudioFormat(Encoding.PCM_FLOAT, rate, 32, channels, channels * 4, rate, false), b.array());
    }

    /** µ-law or A-law WAV: 16-bit PCM converted by javax.sound's G.711 codec, then written. */
    static byte[] g711Wav(float[] interleaved, int channels, int rate, Encoding law) {
        ByteBuffer b = ByteBuffer.allocate(interleaved.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : interleaved) {
            b.putShort((short) quantize(v, 16));
        }
        AudioFormat pcm = new AudioFormat(Encoding.PCM_SIGNED, rate, 16, channels, channels * 2, rate, false);
        AudioInputStream pcmStream =
                new AudioInputStream(new ByteArrayInputStream(b.array()), pcm, interleaved.length / channels);
        AudioFormat target = new AudioFormat(law, rate, 8, channels, channels, rate, false);
        AudioInputStream encoded = AudioSystem.getAudioInputStream(target, pcmStream);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            AudioSystem.write(encoded, AudioFileFormat.Type.WAVE, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] writeWav(AudioFormat format, byte[] data) {
        AudioInputStream in =
                new AudioInputStream(new ByteArrayInputStream(data), format, data.length / format.getFrameSize());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A WAV assembled byte by byte, for headers javax.sound would never write: any format tag, channel count, rate,
     * bit depth and declared data size.
     */
    static byte[] rawWav(int formatTag, int channels, int rate, int bits, byte[] data, long declaredDataSize) {
        int blockAlign = channels * Math.max(1, bits / 8);
        ByteBuffer b = ByteBuffer.allocate(44 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.putInt(36 + data.length);
        b.put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.putInt(16);
        b.putShort((short) formatTag);
        b.putShort((short) channels);
        b.putInt(rate);
        b.putInt(rate * blockAlign);
        b.putShort((short) blockAlign);
        b.putShort((short) bits);
        b.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.putInt((int) declaredDataSize);
        b.put(data);
        return b.array();
    }

    static byte[] pcm16Bytes(float[] interleaved) {
        ByteBuffer b = ByteBuffer.allocate(interleaved.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : interleaved) {
            b.putShort((short) quantize(v, 16));
        }
        return b.array();
    }

    static byte[] float32Bytes(float[] interleaved) {
        ByteBuffer b = ByteBuffer.allocate(interleaved.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : interleaved) {
            b.putFloat(v);
        }
        return b.array();
    }

    /**
     * FLAC of {@code bits}-bit samples. {@code withLength} writes through a seekable file so STREAMINFO carries the
     * total sample count; otherwise through a plain stream, leaving it 0 (unknown), as streaming encoders do.
     */
    static byte[] flac(float[] interleaved, int channels, int rate, int bits, boolean withLength) {
        StreamConfiguration config = new StreamConfiguration();
        config.setChannelCount(channels);
        config.setSampleRate(rate);
        config.setBitsPerSample(bits);
        int[] samples = new int[interleaved.length];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (int) quantize(interleaved[i], bits);
        }
        int frames = interleaved.length / channels;
        try {
            FLACEncoder encoder = new FLACEncoder();
            encoder.setStreamConfiguration(config);
            if (withLength) {
                Path file = Files.createTempFile("fixture", ".flac");
                try {
                    FLACFileOutputStream out = new FLACFileOutputStream(file.toString());
                    encoder.setOutputStream(out);
                    encode(encoder, samples, frames);
                    out.close();
                    return Files.readAllBytes(file);
                } finally {
                    Files.deleteIfExists(file);
                }
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            FLACStreamOutputStream out = new FLACStreamOutputStream(bytes);
            encoder.setOutputStream(out);
            encode(encoder, samples, frames);
            out.close();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void encode(FLACEncoder encoder, int[] samples, int frames) throws IOException {
        encoder.openFLACStream();
        encoder.addSamples(samples, frames);
        encoder.encodeSamples(frames, true);
    }

    /** Constant-bit-rate MP3 (jump3r). */
    static byte[] mp3(float[] interleaved, int channels, int rate, int kbps) {
        AudioFormat source = new AudioFormat(rate, 16, channels, true, false);
        LameEncoder encoder = new LameEncoder(
                source,
                kbps,
                channels == 1 ? LameEncoder.CHANNEL_MODE_MONO : LameEncoder.CHANNEL_MODE_JOINT_STEREO,
                LameEncoder.QUALITY_MIDDLE,
                false);
        byte[] pcm = pcm16Bytes(interleaved);
        byte[] buffer = new byte[encoder.getMP3BufferSize()];
        int chunk = encoder.getPCMBufferSize();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int pos = 0; pos < pcm.length; pos += chunk) {
            int n = encoder.encodeBuffer(pcm, pos, Math.min(chunk, pcm.length - pos), buffer);
            out.write(buffer, 0, n);
        }
        int n = encoder.encodeFinish(buffer);
        out.write(buffer, 0, n);
        encoder.close();
        return out.toByteArray();
    }
}

package dev.phi4ee.core.audio;

import dev.phi4ee.core.api.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioFormat.Encoding;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * WAV through javax.sound.sampled (the JDK's RIFF readers): integer PCM of any byte width (8-bit unsigned, 16/24/32-bit
 * signed, either byte order), IEEE float 32/64, µ-law and A-law (expanded to 16-bit PCM by the JDK's G.711 converter),
 * plain and WAVE_FORMAT_EXTENSIBLE headers. Integers are scaled by 2^(bits−1) of their container, so 16-bit PCM gives
 * x/32768 as the reference's input (§8.1). Read in blocks; nothing but one block is held besides the output.
 */
final class WavDecoder implements AudioStreamDecoder {
    private static final int BLOCK_BYTES = 1 << 16;

    @Override
    public void decode(byte[] data, SampleAccumulator out) throws IOException {
        WavHeader.check(data);
        AudioInputStream in;
        try {
            in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(data));
        } catch (UnsupportedAudioFileException e) {
            throw new InvalidInputException(
                    "unsupported WAV encoding or corrupt WAV header (" + e.getMessage()
                            + "; supported: PCM 8/16/24/32-bit, float, µ-law, A-law)",
                    e);
        }
        try (AudioInputStream stream = toReadableEncoding(in)) {
            AudioFormat format = stream.getFormat();
            int channels = format.getChannels();
            int frameSize = format.getFrameSize();
            float rate = format.getSampleRate();
            if (rate != Math.rint(rate)) {
                throw new InvalidInputException("non-integer sample rate " + rate + " Hz in the WAV header");
            }
            long declared = stream.getFrameLength();
            // The frames the bytes can hold bound the early duration check, so a streaming writer's placeholder
            // length (0xFFFFFFFF) does not count as a 37-hour recording.
            long available = frameSize > 0 ? data.length / frameSize : 0;
            out.start((int) rate, channels, declared < 0 ? -1 : Math.min(declared, available));
            if (frameSize <= 0 || frameSize % channels != 0) {
                throw new InvalidInputException("unsupported WAV frame layout: " + format);
            }
            SampleConverter converter = SampleConverter.of(format, frameSize / channels);
            long framesRead = readAll(stream, converter, frameSize, channels, out);
            if (declared >= 0 && framesRead < declared && !isPlaceholderLength(declared, frameSize)) {
                throw new InvalidInputException(
                        "truncated WAV: the header declares " + declared + " frames, the file holds " + framesRead);
            }
        }
    }

    /** Writers that stream (recorders, pipes) leave a data size of 0xFFFFFFFF or 0x7FFFFFFF: length unknown. */
    private static boolean isPlaceholderLength(long declaredFrames, int frameSize) {
        return declaredFrames * frameSize >= 0x7FFF_FFFFL - frameSize;
    }

    private static AudioInputStream toReadableEncoding(AudioInputStream in) {
        Encoding e = in.getFormat().getEncoding();
        if (e.equals(Encoding.ULAW) || e.equals(Encoding.ALAW)) {
            AudioFormat f = in.getFormat();
            AudioFormat pcm16 = new AudioFormat(
                    Encoding.PCM_SIGNED,
                    f.getSampleRate(),
                    16,
                    f.getChannels(),
                    2 * f.getChannels(),
                    f.getSampleRate(),
                    false);
            return AudioSystem.getAudioInputStream(pcm16, in);
        }
        if (e.equals(Encoding.PCM_SIGNED) || e.equals(Encoding.PCM_UNSIGNED) || e.equals(Encoding.PCM_FLOAT)) {
            return in;
        }
        throw new InvalidInputException(
                "unsupported WAV encoding " + e + " (supported: PCM 8/16/24/32-bit, float, µ-law, A-law)");
    }

    private static long readAll(
            InputStream stream, SampleConverter converter, int frameSize, int channels, SampleAccumulator out)
            throws IOException {
        int blockFrames = Math.max(1, BLOCK_BYTES / frameSize);
        byte[] bytes = new byte[blockFrames * frameSize];
        float[] samples = new float[blockFrames * channels];
        long frames = 0;
        int n;
        // AudioInputStream.read returns whole frames only.
        while ((n = stream.read(bytes, 0, bytes.length)) > 0) {
            int whole = n / frameSize;
            converter.convert(bytes, whole * channels, samples);
            out.accept(samples, whole);
            frames += whole;
        }
        return frames;
    }

    /** Byte → float conversion of one sample layout. */
    @FunctionalInterface
    interface SampleConverter {
        void convert(byte[] in, int sampleCount, float[] out);

        static SampleConverter of(AudioFormat format, int bytesPerSample) {
            Encoding e = format.getEncoding();
            boolean big = format.isBigEndian();
            if (e.equals(Encoding.PCM_FLOAT)) {
                if (bytesPerSample == 4) {
                    return (in, count, out) -> {
                        for (int i = 0; i < count; i++) {
                            out[i] = Float.intBitsToFloat((int) read(in, i * 4, 4, big));
                        }
                    };
                }
                if (bytesPerSample == 8) {
                    return (in, count, out) -> {
                        for (int i = 0; i < count; i++) {
                            out[i] = (float) Double.longBitsToDouble(read(in, i * 8, 8, big));
                        }
                    };
                }
                throw new InvalidInputException("unsupported float WAV sample size: " + format);
            }
            if (bytesPerSample < 1 || bytesPerSample > 4) {
                throw new InvalidInputException("unsupported PCM sample size: " + format);
            }
            int bits = 8 * bytesPerSample;
            double scale = 1.0 / (1L << (bits - 1));
            boolean unsigned = e.equals(Encoding.PCM_UNSIGNED);
            long offset = unsigned ? 1L << (bits - 1) : 0;
            return (in, count, out) -> {
                for (int i = 0; i < count; i++) {
                    long raw = read(in, i * bytesPerSample, bytesPerSample, big);
                    long value = unsigned ? raw - offset : (raw << (64 - bits)) >> (64 - bits);
                    out[i] = (float) (value * scale);
                }
            };
        }

        private static long read(byte[] in, int at, int length, boolean bigEndian) {
            long v = 0;
            for (int b = 0; b < length; b++) {
                int shift = bigEndian ? 8 * (length - 1 - b) : 8 * b;
                v |= (in[at + b] & 0xFFL) << shift;
            }
            return v;
        }
    }
}

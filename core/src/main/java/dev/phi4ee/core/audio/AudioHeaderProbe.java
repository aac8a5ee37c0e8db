package dev.phi4ee.core.audio;

import dev.phi4ee.core.api.MediaFormat;
import java.io.ByteArrayInputStream;
import java.util.Optional;
import javazoom.jl.decoder.Bitstream;
import javazoom.jl.decoder.BitstreamException;
import javazoom.jl.decoder.Header;

/**
 * The length of a recording from its headers alone, in source frames at the source rate: WAV from its {@code data}
 * chunk, FLAC from STREAMINFO, MP3 by walking the frame headers without decoding a frame. Each gives exactly the
 * frames the matching decoder delivers when the file decodes at all (a file whose decoding fails is rejected then);
 * a length no header states (a FLAC from a streaming encoder, a malformed header) is {@link Optional#empty()}.
 */
final class AudioHeaderProbe {
    /** Sample rate and length in frames of one recording. */
    record Length(int sampleRate, long frames) {}

    private AudioHeaderProbe() {}

    static Optional<Length> probe(byte[] data, MediaFormat format) {
        try {
            return switch (format) {
                case WAV -> wav(data);
                case FLAC -> flac(data);
                case MP3 -> mp3(data);
                default -> Optional.empty();
            };
        } catch (RuntimeException e) {
            return Optional.empty(); // the decoder reports what is wrong with the file
        }
    }

    /**
     * The JDK's reader delivers the data chunk's declared frames, or with a streaming writer's placeholder size
     * ({@link WavDecoder}) every whole frame up to the end of the file.
     */
    private static Optional<Length> wav(byte[] data) {
        long pos = 12;
        int rate = -1;
        int blockAlign = -1;
        while (pos + 8 <= data.length) {
            int at = (int) pos;
            long size = u32le(data, at + 4);
            if (is(data, at, "fmt ") && at + 8 + 16 <= data.length) {
                rate = (int) Math.min(Integer.MAX_VALUE, u32le(data, at + 12));
                blockAlign = u16le(data, at + 20);
            } else if (is(data, at, "data")) {
                if (rate <= 0 || blockAlign <= 0) {
                    return Optional.empty();
                }
                long declared = size / blockAlign;
                long available = (data.length - (at + 8L)) / blockAlign;
                boolean placeholder = declared * blockAlign >= 0x7FFF_FFFFL - blockAlign;
                return Optional.of(new Length(rate, placeholder ? available : declared));
            }
            pos += 8 + size + (size & 1);
        }
        return Optional.empty();
    }

    /** STREAMINFO: sample rate (20 bits) and total samples (36 bits) at fixed positions; 0 samples = unknown. */
    private static Optional<Length> flac(byte[] data) {
        int info = 8; // "fLaC", then the first metadata block's 4-byte header: STREAMINFO comes first
        if (data.length < info + 18 || (data[4] & 0x7F) != 0) {
            return Optional.empty();
        }
        int rate = ((data[info + 10] & 0xFF) << 12) | ((data[info + 11] & 0xFF) << 4) | ((data[info + 12] & 0xF0) >> 4);
        long total = ((long) (data[info + 13] & 0x0F) << 32)
                | ((long) (data[info + 14] & 0xFF) << 24)
                | ((data[info + 15] & 0xFF) << 16)
                | ((data[info + 16] & 0xFF) << 8)
                | (data[info + 17] & 0xFF);
        return total > 0 && rate > 0 ? Optional.of(new Length(rate, total)) : Optional.empty();
    }

    /**
     * Frame headers through JLayer's own bitstream reader, so the walk sees exactly the frames its decoder does;
     * samples per frame: 384 (layer I), 1152 (layer II, MPEG-1 layer III), 576 (MPEG-2/2.5 layer III).
     */
    private static Optional<Length> mp3(byte[] data) {
        Bitstream bitstream = new Bitstream(new ByteArrayInputStream(data));
        long frames = 0;
        int rate = -1;
        try {
            Header h;
            while ((h = bitstream.readFrame()) != null) {
                if (rate < 0) {
                    rate = h.frequency();
                } else if (rate != h.frequency()) {
                    return Optional.empty(); // rejected by the decoder
                }
                frames += switch (h.layer()) {
                    case 1 -> 384;
                    case 2 -> 1152;
                    default -> h.version() == Header.MPEG1 ? 1152 : 576;
                };
                bitstream.closeFrame();
            }
        } catch (BitstreamException e) {
            return Optional.empty();
        }
        return rate > 0 ? Optional.of(new Length(rate, frames)) : Optional.empty();
    }

    private static boolean is(byte[] d, int at, String id) {
        for (int i = 0; i < 4; i++) {
            if (d[at + i] != id.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int u16le(byte[] d, int i) {
        return (d[i] & 0xFF) | (d[i + 1] & 0xFF) << 8;
    }

    private static long u32le(byte[] d, int i) {
        return (d[i] & 0xFFL) | (d[i + 1] & 0xFFL) << 8 | (d[i + 2] & 0xFFL) << 16 | (d[i + 3] & 0xFFL) << 24;
    }
}

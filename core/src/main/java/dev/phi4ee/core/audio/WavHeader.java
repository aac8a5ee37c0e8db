package dev.phi4ee.core.audio;

import dev.phi4ee.core.api.InvalidInputException;
import java.util.Map;

/**
 * A walk over the RIFF chunks up to {@code fmt }, done before javax.sound reads the file: the JDK's readers answer
 * every header they dislike with "Stream of unsupported format", while users need to hear which codec or which field
 * is wrong (an ADPCM call recording, 65535 channels, a sample rate of 0).
 */
final class WavHeader {
    private static final int PCM = 0x0001;
    private static final int FLOAT = 0x0003;
    private static final int ALAW = 0x0006;
    private static final int MULAW = 0x0007;
    private static final int EXTENSIBLE = 0xFFFE;

    private static final Map<Integer, String> KNOWN_CODECS = Map.of(
            0x0002, "MS ADPCM",
            0x0011, "IMA ADPCM",
            0x0022, "TrueSpeech",
            0x0031, "GSM 6.10",
            0x0040, "G.721 ADPCM",
            0x0050, "MPEG",
            0x0055, "MPEG Layer 3",
            0x0064, "G.726 ADPCM",
            0x0161, "WMA");

    private WavHeader() {}

    /** Throws a precise {@link InvalidInputException} for a header this decoder cannot or must not read. */
    static void check(byte[] data) {
        long pos = 12;
        while (pos + 8 <= data.length) {
            int at = (int) pos;
            long size = u32(data, at + 4);
            if (data[at] == 'f' && data[at + 1] == 'm' && data[at + 2] == 't' && data[at + 3] == ' ') {
                checkFormat(data, at + 8, size);
                return;
            }
            pos += 8 + size + (size & 1);
        }
        throw new InvalidInputException("corrupt WAV: no readable fmt chunk");
    }

    private static void checkFormat(byte[] data, int at, long size) {
        if (size < 16 || at + 16 > data.length) {
            throw new InvalidInputException("corrupt WAV: fmt chunk of " + size + " bytes");
        }
        int tag = u16(data, at);
        int channels = u16(data, at + 2);
        long rate = u32(data, at + 4);
        int bits = u16(data, at + 14);
        if (tag == EXTENSIBLE && size >= 40 && at + 26 <= data.length) {
            tag = u16(data, at + 24); // first two bytes of the sub-format GUID
        }
        if (tag != PCM && tag != FLOAT && tag != ALAW && tag != MULAW) {
            String name = KNOWN_CODECS.getOrDefault(tag, "unknown codec");
            throw new InvalidInputException(String.format(
                    "unsupported WAV codec 0x%04X (%s); supported: PCM 8/16/24/32-bit, float, µ-law, A-law",
                    tag, name));
        }
        SampleAccumulator.checkFormat(rate > Integer.MAX_VALUE ? -1 : (int) rate, channels);
        if (bits == 0 || bits > 64) {
            throw new InvalidInputException("implausible bits per sample " + bits + " in the WAV header");
        }
    }

    private static int u16(byte[] d, int i) {
        return (d[i] & 0xFF) | (d[i + 1] & 0xFF) << 8;
    }

    private static long u32(byte[] d, int i) {
        return (d[i] & 0xFFL) | (d[i + 1] & 0xFFL) << 8 | (d[i + 2] & 0xFFL) << 16 | (d[i + 3] & 0xFFL) << 24;
    }
}

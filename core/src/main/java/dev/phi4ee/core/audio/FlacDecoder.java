package dev.phi4ee.core.audio;

import dev.phi4ee.core.api.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.jflac.FLACDecoder;
import org.jflac.FrameListener;
import org.jflac.frame.Frame;
import org.jflac.metadata.Metadata;
import org.jflac.metadata.StreamInfo;

/**
 * FLAC through jFLAC ({@code org.jflac:jflac-codec}), frame by frame: each decoded block's integer samples are taken
 * from the decoder's channel buffers (any bit depth 4–32, no detour through bytes) and scaled by 2^(bits−1). A stream
 * is rejected when a frame fails its CRC or header checks, or when it ends before the sample count STREAMINFO
 * announces (truncated upload).
 *
 * <p>Two jFLAC 1.5.2 behaviours are worked around (found by {@code AudioFuzzTest}): a frame with a CRC mismatch is
 * returned as a good frame of zeros, reported only to frame listeners; and once the STREAMINFO sample count is
 * reached its frame search returns without reading, so a further {@code readNextFrame} can spin forever on a stale
 * header. Hence a listener that aborts on the first frame error, and no read past the declared count.
 */
final class FlacDecoder implements AudioStreamDecoder {

    @Override
    public void decode(byte[] data, SampleAccumulator out) throws IOException {
        FLACDecoder decoder = new FLACDecoder(new ByteArrayInputStream(data));
        decoder.addFrameListener(new AbortOnFrameError());
        decoder.readMetadata();
        StreamInfo info = decoder.getStreamInfo();
        if (info == null) {
            throw new InvalidInputException("corrupt FLAC: no STREAMINFO block");
        }
        int channels = info.getChannels();
        int bits = info.getBitsPerSample();
        long declared = info.getTotalSamples(); // 0 = unknown (streamed encoders)
        out.start(info.getSampleRate(), channels, declared > 0 ? declared : -1);
        if (bits < 4 || bits > 32) {
            throw new InvalidInputException("corrupt FLAC: " + bits + " bits per sample in STREAMINFO");
        }
        double scale = 1.0 / (1L << (bits - 1));
        float[] block = new float[0];
        long frames = 0;
        Frame frame;
        while ((declared <= 0 || frames < declared) && (frame = decoder.readNextFrame()) != null) {
            int n = frame.header.blockSize;
            if (frame.header.channels != channels) {
                throw new InvalidInputException("corrupt FLAC: frame with " + frame.header.channels + " channels in a "
                        + channels + "-channel stream");
            }
            if (block.length < n * channels) {
                block = new float[n * channels];
            }
            for (int c = 0; c < channels; c++) {
                int[] pcm = decoder.getChannelData()[c].getOutput();
                for (int i = 0; i < n; i++) {
                    block[i * channels + c] = (float) (pcm[i] * scale);
                }
            }
            out.accept(block, n);
            frames += n;
        }
        if (decoder.getBadFrames() > 0) {
            throw new InvalidInputException(
                    "corrupt FLAC: " + decoder.getBadFrames() + " frame(s) failed their integrity checks");
        }
        if (declared > 0 && frames < declared) {
            throw new InvalidInputException(
                    "truncated FLAC: STREAMINFO declares " + declared + " samples, the stream holds " + frames);
        }
        if (declared > 0 && frames > declared) {
            throw new InvalidInputException(
                    "corrupt FLAC: frames hold " + frames + " samples, STREAMINFO declares " + declared);
        }
    }

    /** Turns jFLAC's error callbacks (CRC mismatch, bad header or subframe) into an immediate rejection. */
    private static final class AbortOnFrameError implements FrameListener {
        @Override
        public void processMetadata(Metadata metadata) {}

        @Override
        public void processFrame(Frame frame) {}

        @Override
        public void processError(String message) {
            // Lost sync is only reported while searching for the next frame (e.g. an ID3v1 tag after the audio);
            // a damaged frame after it still fails its header or CRC check.
            if (!message.startsWith("FindSync LOST_SYNC")) {
                throw new InvalidInputException("corrupt FLAC frame (" + message + ")");
            }
        }
    }
}

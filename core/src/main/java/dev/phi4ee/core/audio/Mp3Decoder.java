package dev.phi4ee.core.audio;

import dev.phi4ee.core.api.InvalidInputException;
import java.io.ByteArrayInputStream;
import javazoom.jl.decoder.Bitstream;
import javazoom.jl.decoder.BitstreamException;
import javazoom.jl.decoder.Decoder;
import javazoom.jl.decoder.DecoderException;
import javazoom.jl.decoder.Header;
import javazoom.jl.decoder.SampleBuffer;

/**
 * MPEG-1/2/2.5 audio layers I–III through JLayer ({@code javazoom.jl.decoder}), frame by frame: 16-bit output ÷ 32768.
 * MP3 has no reliable length header (VBR, no Xing tag), so the duration limit is enforced on the decoded length. An
 * input in which no frame can be found is rejected; a stream whose rate or channel count changes mid-way (two files
 * glued together) too, since its samples would be mislabelled.
 */
final class Mp3Decoder implements AudioStreamDecoder {

    @Override
    public void decode(byte[] data, SampleAccumulator out) {
        Bitstream bitstream = new Bitstream(new ByteArrayInputStream(data));
        Decoder decoder = new Decoder();
        float[] block = new float[0];
        try {
            Header header;
            while ((header = bitstream.readFrame()) != null) {
                SampleBuffer pcm = (SampleBuffer) decoder.decodeFrame(header, bitstream);
                int channels = pcm.getChannelCount();
                int rate = pcm.getSampleFrequency();
                if (!out.started()) {
                    out.start(rate, channels, -1);
                } else if (rate != out.sourceRate() || channels != out.channels()) {
                    throw new InvalidInputException("MP3 stream changes format mid-way (" + out.sourceRate() + " Hz "
                            + out.channels() + " ch → " + rate + " Hz " + channels + " ch)");
                }
                short[] samples = pcm.getBuffer();
                int count = pcm.getBufferLength();
                if (block.length < count) {
                    block = new float[count];
                }
                for (int i = 0; i < count; i++) {
                    block[i] = samples[i] / 32768f;
                }
                out.accept(block, count / channels);
                bitstream.closeFrame();
            }
        } catch (BitstreamException | DecoderException e) {
            throw new InvalidInputException("corrupt MP3 stream: " + e.getMessage(), e);
        }
        if (!out.started()) {
            throw new InvalidInputException("no MPEG audio frame found (corrupt or not an MP3)");
        }
    }
}

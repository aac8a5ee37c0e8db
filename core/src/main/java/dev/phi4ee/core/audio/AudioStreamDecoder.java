package dev.phi4ee.core.audio;

import java.io.IOException;

/** Decodes one container format, delivering its PCM block by block to a {@link SampleAccumulator}. */
interface AudioStreamDecoder {
    /**
     * Decodes {@code data}; calls {@code out.start} once with the stream's format before the first block. Library
     * exceptions may escape; {@link AudioPreprocessor} turns them into {@code InvalidInputException}s.
     */
    void decode(byte[] data, SampleAccumulator out) throws IOException;
}

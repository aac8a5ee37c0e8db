package dev.phi4ee.benchmarks;

import dev.phi4ee.core.generate.TextCodec;

/** A text stream that produces no text: the probes' codecs measure token work only, never detokenization. */
final class SilentTextStream implements TextCodec.TextStream {
    @Override
    public String append(int tokenId) {
        return "";
    }

    @Override
    public String flush() {
        return "";
    }
}

package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.model.ModelDirectory;
import java.util.List;

/** {@link TextCodec} over the model directory's tokenizer.json and the Phi-4 chat template (reference §6). */
final class Phi4TextCodec implements TextCodec {
    private Phi4TextCodec() {}

    static TextCodec load(ModelDirectory dir) {
        throw new UnsupportedOperationException("tokenizer not wired yet: " + dir.tokenizerFile());
    }

    @Override
    public int[] encodeChat(List<ChatMessage> messages) {
        throw new UnsupportedOperationException();
    }

    @Override
    public TextStream newStream() {
        throw new UnsupportedOperationException();
    }
}

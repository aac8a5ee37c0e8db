package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.text.ChatTemplate;
import dev.phi4ee.core.text.Phi4Tokenizer;
import dev.phi4ee.core.text.StreamingDetokenizer;
import java.util.List;

/** {@link TextCodec} over the model directory's tokenizer.json and the Phi-4 chat template (reference §6). */
final class Phi4TextCodec implements TextCodec {
    /** Placeholder ids of §6.2 ({@code <|endoftext10|>}, {@code <|endoftext11|>}); genai_config does not state them. */
    static final int IMAGE_PLACEHOLDER_ID = 200_010;

    static final int AUDIO_PLACEHOLDER_ID = 200_011;

    private final Phi4Tokenizer tokenizer;
    private final ChatTemplate template;

    private Phi4TextCodec(Phi4Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.template = new ChatTemplate(tokenizer, IMAGE_PLACEHOLDER_ID, AUDIO_PLACEHOLDER_ID);
    }

    static Phi4TextCodec load(ModelDirectory dir) {
        return new Phi4TextCodec(Phi4Tokenizer.load(dir.tokenizerFile()));
    }

    Phi4Tokenizer tokenizer() {
        return tokenizer;
    }

    ChatTemplate template() {
        return template;
    }

    @Override
    public int[] encodeChat(List<ChatMessage> messages) {
        return template.render(messages).ids();
    }

    /** Ids without a token decode to nothing (Hugging Face tokenizers does the same); every token has bytes. */
    @Override
    public boolean hasToken(int id) {
        return id >= 0
                && id < tokenizer.vocabSize()
                && !tokenizer.decode(new int[] {id}, false).isEmpty();
    }

    @Override
    public byte[] plainTokenBytes(int id) {
        return tokenizer.plainTokenBytes(id);
    }

    @Override
    public int controlTokenId(String content) {
        return tokenizer.addedTokenId(content).orElse(-1);
    }

    @Override
    public TextStream newStream() {
        StreamingDetokenizer d = tokenizer.newStream(true);
        return new TextStream() {
            @Override
            public String append(int tokenId) {
                return d.append(tokenId);
            }

            @Override
            public String flush() {
                return d.flush();
            }
        };
    }
}

package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.ChatMessage;
import java.util.List;

/** Turns chat messages into prompt ids and generated ids back into text; the engine's only view of the tokenizer. */
public interface TextCodec {
    /**
     * The prompt ids of a conversation in the Phi-4 chat format, ending with the assistant tag (reference §6.3), with
     * one placeholder id per media part.
     */
    int[] encodeChat(List<ChatMessage> messages);

    /**
     * Whether {@code id} is a token of this codec's vocabulary. Ids it has no token for (the padding rows of the
     * model's embedding) are never generated; a codec that cannot tell answers true for every id.
     */
    default boolean hasToken(int id) {
        return true;
    }

    /**
     * The bytes the model writes when it generates {@code id}, for constrained decoding; null for control tokens and
     * unused ids. A codec that cannot tell answers null for every id (then no plain token can satisfy a grammar).
     */
    default byte[] plainTokenBytes(int id) {
        return null;
    }

    /** The id of a control token ({@code <|tool_call|>}) by its content; -1 when there is none. */
    default int controlTokenId(String content) {
        return -1;
    }

    /** A new incremental decoder that never emits half a UTF-8 character. */
    TextStream newStream();

    /** Incremental detokenization of one generation. */
    interface TextStream {
        /** Text completed by this token (possibly empty). */
        String append(int tokenId);

        /** Whatever is still pending at the end. */
        String flush();
    }
}

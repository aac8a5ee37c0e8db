package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.api.ContentPart;
import java.util.ArrayList;
import java.util.List;

/** A stand-in tokenizer for engine-mechanics tests: one id per character, ids decode to {@code <id>}. */
final class FakeTextCodec implements TextCodec {
    @Override
    public int[] encodeChat(List<ChatMessage> messages) {
        List<Integer> ids = new ArrayList<>();
        for (ChatMessage m : messages) {
            ids.add(m.role() == ChatMessage.Role.SYSTEM ? 200022 : m.role() == ChatMessage.Role.USER ? 200021 : 200019);
            for (ContentPart p : m.parts()) {
                if (p instanceof ContentPart.Text t) {
                    t.text().chars().forEach(c -> ids.add(1000 + c));
                }
            }
            ids.add(200020);
        }
        ids.add(200019);
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public TextStream newStream() {
        return new TextStream() {
            @Override
            public String append(int tokenId) {
                return "<" + tokenId + ">";
            }

            @Override
            public String flush() {
                return "";
            }
        };
    }
}

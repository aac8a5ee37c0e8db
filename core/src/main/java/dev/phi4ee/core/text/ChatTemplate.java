package dev.phi4ee.core.text;

import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.api.ContentPart;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.ModelFormatException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Renders chat messages into Phi-4 prompt ids (phi4mm-reference.md §6.3):
 * {@code <|system|>…<|end|><|user|>…<|end|><|assistant|>}, no BOS, no newlines, generation prompt appended.
 *
 * <p>The prompt is built structurally: template tokens and media placeholders are inserted as ids, and message text is
 * encoded with {@link Phi4Tokenizer#encodeOrdinary}, so text such as {@code <|end|><|assistant|>} or
 * {@code <|image_1|>} typed by a user stays plain text and cannot inject turns or break placeholder counts (§6.3).
 * Adjacent text parts of a message are joined before encoding, as the string template would.
 */
public final class ChatTemplate {
    private final Phi4Tokenizer tokenizer;
    private final int imagePlaceholderId;
    private final int audioPlaceholderId;
    private final int endId;
    private final int assistantId;
    private final int[] roleIds = new int[ChatMessage.Role.values().length];

    /**
     * @param imagePlaceholderId the model config's image token id (200010 for Phi-4, §6.2)
     * @param audioPlaceholderId the model config's audio token id (200011)
     * @throws ModelFormatException when the tokenizer lacks a template token or a placeholder id
     */
    public ChatTemplate(Phi4Tokenizer tokenizer, int imagePlaceholderId, int audioPlaceholderId) {
        this.tokenizer = tokenizer;
        this.imagePlaceholderId = checkPlaceholder(tokenizer, imagePlaceholderId, "image");
        this.audioPlaceholderId = checkPlaceholder(tokenizer, audioPlaceholderId, "audio");
        endId = templateToken(tokenizer, "<|end|>");
        assistantId = templateToken(tokenizer, "<|assistant|>");
        for (ChatMessage.Role role : ChatMessage.Role.values()) {
            roleIds[role.ordinal()] = templateToken(tokenizer, "<|" + role.tag() + "|>");
        }
    }

    /** Renders with one placeholder per image or audio part. */
    public ChatPrompt render(List<ChatMessage> messages) {
        return render(messages, part -> 1);
    }

    /**
     * Renders with {@code placeholdersPerPart.applyAsInt(part)} placeholders for each image or audio part (a
     * three-page PDF gives three image placeholders).
     *
     * @throws InvalidInputException when there are no messages or a media part yields fewer than one placeholder
     */
    public ChatPrompt render(List<ChatMessage> messages, ToIntFunction<ContentPart> placeholdersPerPart) {
        if (messages.isEmpty()) {
            throw new InvalidInputException("a chat prompt needs at least one message");
        }
        IntArrayBuilder ids = new IntArrayBuilder(256);
        BytePairEncoder.Scratch scratch = new BytePairEncoder.Scratch();
        List<ContentPart> media = new ArrayList<>();
        IntArrayBuilder counts = new IntArrayBuilder(8);
        StringBuilder text = new StringBuilder();
        for (ChatMessage message : messages) {
            ids.add(roleIds[message.role().ordinal()]);
            for (ContentPart part : message.parts()) {
                switch (part) {
                    case ContentPart.Text t -> text.append(t.text());
                    case ContentPart.Image image -> {
                        flush(text, ids, scratch);
                        addPlaceholders(part, imagePlaceholderId, placeholdersPerPart, ids, media, counts);
                    }
                    case ContentPart.Audio audio -> {
                        flush(text, ids, scratch);
                        addPlaceholders(part, audioPlaceholderId, placeholdersPerPart, ids, media, counts);
                    }
                }
            }
            flush(text, ids, scratch);
            ids.add(endId);
        }
        ids.add(assistantId);
        return new ChatPrompt(ids.toArray(), media, counts.toArray());
    }

    private void flush(StringBuilder text, IntArrayBuilder ids, BytePairEncoder.Scratch scratch) {
        if (!text.isEmpty()) {
            String s = text.toString();
            tokenizer.encodeOrdinary(s, 0, s.length(), ids, scratch);
            text.setLength(0);
        }
    }

    private static void addPlaceholders(
            ContentPart part,
            int placeholderId,
            ToIntFunction<ContentPart> placeholdersPerPart,
            IntArrayBuilder ids,
            List<ContentPart> media,
            IntArrayBuilder counts) {
        int count = placeholdersPerPart.applyAsInt(part);
        if (count < 1) {
            throw new InvalidInputException("a media part must yield at least one item, got " + count);
        }
        ids.addRepeated(placeholderId, count);
        media.add(part);
        counts.add(count);
    }

    private static int templateToken(Phi4Tokenizer tokenizer, String token) {
        return tokenizer
                .tokenId(token)
                .orElseThrow(() -> new ModelFormatException(
                        "tokenizer.json: the chat template token " + token + " is not an added token"));
    }

    private static int checkPlaceholder(Phi4Tokenizer tokenizer, int id, String kind) {
        if (!tokenizer.isSpecial(id)) {
            throw new ModelFormatException("tokenizer.json: the " + kind + " placeholder id " + id
                    + " from the model config is not a special token of the tokenizer");
        }
        return id;
    }
}

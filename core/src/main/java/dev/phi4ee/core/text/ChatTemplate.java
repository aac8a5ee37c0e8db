package dev.phi4ee.core.text;

import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.api.ContentPart;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.generate.constrain.ToolCallFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Renders chat messages into Phi-4 prompt ids (phi4mm-reference.md §6.3):
 * {@code <|system|>…<|end|><|user|>…<|end|><|assistant|>}, no BOS, no newlines; a system message with tools becomes
 * {@code <|system|>…<|tool|>tools<|/tool|><|end|>}; without a generation prompt the EOS token closes the prompt. A tool
 * result is {@code <|tool|>result<|end|>} (the template's rule for any other role) and an assistant turn's tool calls
 * follow its text as {@code <|tool_call|>[…]<|/tool_call|>}, the text the model produced
 * (docs/decisions/tool-result-turn.md).
 *
 * <p>The prompt is built structurally: template tokens and media placeholders are inserted as ids, and message text is
 * encoded with {@link Phi4Tokenizer#encodeOrdinary}, so text such as {@code <|end|><|assistant|>} or
 * {@code <|image_1|>} typed by a user stays plain text and cannot inject turns or break placeholder counts (§6.3).
 * Adjacent text parts of a message are joined before encoding, as the string template would.
 *
 * <p>The ids equal Hugging Face's {@code apply_chat_template(..., tokenize=True)} for text without special-token
 * strings. That renders the template to a string and encodes it with added-token matching, so each inserted token's
 * flags act on the text next to it: {@code rstrip} (the published flag of the role and tool tokens) eats the
 * whitespace at the start of the following text, {@code lstrip} the whitespace at the end of the preceding text. The
 * same stripping is applied here to the text pieces between inserted ids (see
 * docs/decisions/tokenizer-added-token-flags.md).
 */
public final class ChatTemplate {
    private final Phi4Tokenizer tokenizer;
    private final int imagePlaceholderId;
    private final int audioPlaceholderId;
    private final int endId;
    private final int assistantId;
    private final int toolId; // -1 when the tokenizer has no <|tool|> (then tools cannot be rendered)
    private final int toolEndId;
    private final int toolCallId; // -1 when the tokenizer has no <|tool_call|> (then calls cannot be rendered)
    private final int toolCallEndId;
    private final int[] roleIds = new int[ChatMessage.Role.values().length];

    /**
     * @param imagePlaceholderId the model config's image token id (200010 for Phi-4, §6.2)
     * @param audioPlaceholderId the model config's audio token id (200011)
     * @throws ModelFormatException when the tokenizer lacks a template token or a placeholder id, or marks one
     *     {@code single_word} (the string template would then sometimes leave it as text, which ids cannot mirror)
     */
    public ChatTemplate(Phi4Tokenizer tokenizer, int imagePlaceholderId, int audioPlaceholderId) {
        this.tokenizer = tokenizer;
        this.imagePlaceholderId = checkPlaceholder(tokenizer, imagePlaceholderId, "image");
        this.audioPlaceholderId = checkPlaceholder(tokenizer, audioPlaceholderId, "audio");
        endId = templateToken(tokenizer, "<|end|>");
        assistantId = templateToken(tokenizer, "<|assistant|>");
        toolId = optionalTemplateToken(tokenizer, "<|tool|>");
        toolEndId = optionalTemplateToken(tokenizer, "<|/tool|>");
        toolCallId = optionalTemplateToken(tokenizer, ToolCallFormat.CALL);
        toolCallEndId = optionalTemplateToken(tokenizer, ToolCallFormat.CALL_END);
        for (ChatMessage.Role role : ChatMessage.Role.values()) {
            roleIds[role.ordinal()] =
                    role == ChatMessage.Role.TOOL ? toolId : templateToken(tokenizer, "<|" + role.tag() + "|>");
        }
    }

    /** Renders with one placeholder per image or audio part and the generation prompt. */
    public ChatPrompt render(List<ChatMessage> messages) {
        return render(messages, true, part -> 1);
    }

    /** Renders with {@code placeholdersPerPart} placeholders per media part and the generation prompt. */
    public ChatPrompt render(List<ChatMessage> messages, ToIntFunction<ContentPart> placeholdersPerPart) {
        return render(messages, true, placeholdersPerPart);
    }

    /**
     * Renders with {@code placeholdersPerPart.applyAsInt(part)} placeholders for each image or audio part (a
     * three-page PDF gives three image placeholders).
     *
     * @param addGenerationPrompt end with {@code <|assistant|>}; otherwise with the tokenizer config's EOS token (as
     *     the template's {@code eos_token}; nothing when the config names none)
     * @throws InvalidInputException when there are no messages or a media part yields fewer than one placeholder
     */
    public ChatPrompt render(
            List<ChatMessage> messages, boolean addGenerationPrompt, ToIntFunction<ContentPart> placeholdersPerPart) {
        if (messages.isEmpty()) {
            throw new InvalidInputException("a chat prompt needs at least one message");
        }
        Ids ids = new Ids();
        List<ContentPart> media = new ArrayList<>();
        IntArrayBuilder counts = new IntArrayBuilder(8);
        for (ChatMessage message : messages) {
            int roleId = roleIds[message.role().ordinal()];
            if (roleId < 0) {
                throw new ModelFormatException(
                        "tokenizer.json: a message has the tool role but <|tool|> is not an added token");
            }
            ids.token(roleId);
            for (ContentPart part : message.parts()) {
                switch (part) {
                    case ContentPart.Text t -> ids.text.append(t.text());
                    case ContentPart.Image image ->
                        addPlaceholders(part, imagePlaceholderId, placeholdersPerPart, ids, media, counts);
                    case ContentPart.Audio audio ->
                        addPlaceholders(part, audioPlaceholderId, placeholdersPerPart, ids, media, counts);
                }
            }
            if (message.tools() != null) {
                if (toolId < 0 || toolEndId < 0) {
                    throw new ModelFormatException(
                            "tokenizer.json: a system message has tools but <|tool|> or <|/tool|> is not an added token");
                }
                ids.token(toolId);
                ids.text.append(message.tools());
                ids.token(toolEndId);
            }
            if (!message.toolCalls().isEmpty()) {
                if (toolCallId < 0 || toolCallEndId < 0) {
                    throw new ModelFormatException("tokenizer.json: an assistant message has tool calls but "
                            + ToolCallFormat.CALL + " or " + ToolCallFormat.CALL_END + " is not an added token");
                }
                ids.token(toolCallId);
                ids.text.append(ToolCallFormat.callsJson(message.toolCalls()));
                ids.token(toolCallEndId);
            }
            ids.token(endId);
        }
        if (addGenerationPrompt) {
            ids.token(assistantId);
        } else if (tokenizer.eosTokenId().isPresent()) {
            ids.token(tokenizer.eosTokenId().getAsInt());
        }
        return new ChatPrompt(ids.out.toArray(), media, counts.toArray());
    }

    /**
     * Prompt ids under construction: text waits in {@link #text} until the next inserted token, then is encoded with
     * the whitespace the neighbouring tokens' {@code rstrip}/{@code lstrip} flags would take removed.
     */
    private final class Ids {
        final IntArrayBuilder out = new IntArrayBuilder(256);
        final StringBuilder text = new StringBuilder();
        private final BytePairEncoder.Scratch scratch = new BytePairEncoder.Scratch();
        private boolean previousStripsRight;

        void token(int id) {
            AddedToken next = tokenizer.addedToken(id);
            if (!text.isEmpty()) {
                String s = text.toString();
                int from = previousStripsRight ? AddedTokenMatcher.whitespaceAfter(s, 0, s.length()) : 0;
                int to = next != null && next.lstrip()
                        ? AddedTokenMatcher.whitespaceBefore(s, from, s.length())
                        : s.length();
                tokenizer.encodeOrdinary(s, from, to, out, scratch);
                text.setLength(0);
            }
            out.add(id);
            previousStripsRight = next != null && next.rstrip();
        }
    }

    private static void addPlaceholders(
            ContentPart part,
            int placeholderId,
            ToIntFunction<ContentPart> placeholdersPerPart,
            Ids ids,
            List<ContentPart> media,
            IntArrayBuilder counts) {
        int count = placeholdersPerPart.applyAsInt(part);
        if (count < 1) {
            throw new InvalidInputException("a media part must yield at least one item, got " + count);
        }
        for (int i = 0; i < count; i++) {
            ids.token(placeholderId);
        }
        media.add(part);
        counts.add(count);
    }

    private static int optionalTemplateToken(Phi4Tokenizer tokenizer, String token) {
        return tokenizer.tokenId(token).isPresent() ? templateToken(tokenizer, token) : -1;
    }

    private static int templateToken(Phi4Tokenizer tokenizer, String token) {
        int id = tokenizer
                .tokenId(token)
                .orElseThrow(() -> new ModelFormatException(
                        "tokenizer.json: the chat template token " + token + " is not an added token"));
        checkNotSingleWord(tokenizer, id, "the chat template token " + token);
        return id;
    }

    private static int checkPlaceholder(Phi4Tokenizer tokenizer, int id, String kind) {
        if (!tokenizer.isSpecial(id)) {
            throw new ModelFormatException("tokenizer.json: the " + kind + " placeholder id " + id
                    + " from the model config is not a special token of the tokenizer");
        }
        checkNotSingleWord(tokenizer, id, "the " + kind + " placeholder");
        return id;
    }

    private static void checkNotSingleWord(Phi4Tokenizer tokenizer, int id, String what) {
        AddedToken t = tokenizer.addedToken(id);
        if (t != null && t.singleWord()) {
            throw new ModelFormatException("tokenizer.json: field added_tokens (id " + id + ", " + what
                    + ") has single_word true; the chat template cannot reproduce it");
        }
    }
}

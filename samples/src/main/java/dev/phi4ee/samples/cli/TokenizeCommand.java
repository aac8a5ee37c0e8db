package dev.phi4ee.samples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.api.ContentPart;
import dev.phi4ee.core.api.Phi4Exception;
import dev.phi4ee.core.text.ChatTemplate;
import dev.phi4ee.core.text.Phi4Tokenizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code phi4 tokenize}: JSON Lines of strings (or, with {@code --chat}, of chat requests) on stdin → one JSON array
 * of token ids per line on stdout.
 */
@Command(
        name = "tokenize",
        mixinStandardHelpOptions = true,
        description = {
            "Reads JSON Lines from stdin (one JSON string per line) and writes one JSON array of token ids per line.",
            "Text is ordinary: special-token strings such as <|end|> stay plain text unless --special is given.",
            "With --chat each line is {\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                    + "\"add_generation_prompt\":true} (a system message may have \"tools\", a string) and the ids"
                    + " are the Phi-4 chat prompt, as Hugging Face's apply_chat_template(..., tokenize=True)"
                    + " gives them; message text never becomes control tokens."
        })
final class TokenizeCommand implements Callable<Integer> {
    /** Phi-4's media placeholder ids (phi4mm-reference.md §6.2); chat lines here carry text only. */
    private static final int IMAGE_PLACEHOLDER_ID = 200_010;

    private static final int AUDIO_PLACEHOLDER_ID = 200_011;

    @ArgGroup(multiplicity = "1")
    TokenizerOptions source;

    @Option(names = "--special", description = "recognise the tokenizer's added tokens (template text)")
    boolean special;

    @Option(names = "--chat", description = "read chat requests and write the ids of the rendered chat prompt")
    boolean chat;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (chat && special) {
            throw new ParameterException(spec.commandLine(), "--chat and --special cannot be combined");
        }
        Phi4Tokenizer tokenizer;
        ChatTemplate template;
        try {
            tokenizer = source.load();
            template = chat ? new ChatTemplate(tokenizer, IMAGE_PLACEHOLDER_ID, AUDIO_PLACEHOLDER_ID) : null;
        } catch (Phi4Exception e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 1;
        }
        if (chat) {
            return JsonLines.map(spec, "a chat request object", value -> json(chatIds(template, value)));
        }
        return JsonLines.map(spec, "a JSON string", value -> {
            if (!value.isTextual()) {
                return null;
            }
            String text = value.textValue();
            return json(special ? tokenizer.encodeWithSpecialTokens(text) : tokenizer.encodeOrdinary(text));
        });
    }

    /**
     * The prompt ids of one chat request. {@code add_generation_prompt} defaults to false, as in Hugging Face's
     * {@code apply_chat_template}; {@code tools} is rendered for system messages only, as the Phi-4 template does.
     */
    private static int[] chatIds(ChatTemplate template, JsonNode request) {
        if (!request.isObject()) {
            throw new JsonLines.BadLine("expected a chat request object {\"messages\": [...]}");
        }
        JsonNode messages = request.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new JsonLines.BadLine("field messages must be a non-empty array");
        }
        JsonNode generation = request.get("add_generation_prompt");
        if (generation != null && !generation.isBoolean() && !generation.isNull()) {
            throw new JsonLines.BadLine("field add_generation_prompt must be true or false");
        }
        List<ChatMessage> chat = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            chat.add(message(messages.get(i), "messages[" + i + "]"));
        }
        return template.render(chat, generation != null && generation.booleanValue(), part -> 1)
                .ids();
    }

    private static ChatMessage message(JsonNode m, String where) {
        ChatMessage.Role role = null;
        JsonNode roleNode = m.get("role");
        for (ChatMessage.Role r : ChatMessage.Role.values()) {
            if (roleNode != null && r.tag().equals(roleNode.asText(null))) {
                role = r;
            }
        }
        if (role == null) {
            throw new JsonLines.BadLine(
                    "field " + where + ".role must be \"system\", \"user\", \"assistant\" or \"tool\"");
        }
        JsonNode content = m.get("content");
        if (content == null || !content.isTextual()) {
            throw new JsonLines.BadLine("field " + where + ".content must be a string");
        }
        JsonNode tools = m.get("tools");
        if (tools != null && !tools.isNull() && !tools.isTextual()) {
            throw new JsonLines.BadLine("field " + where + ".tools must be a string (the tool definitions as text)");
        }
        boolean withTools = role == ChatMessage.Role.SYSTEM && tools != null && tools.isTextual();
        return new ChatMessage(
                role, List.of(ContentPart.text(content.textValue())), withTools ? tools.textValue() : null);
    }

    private static String json(int[] ids) {
        StringBuilder line = new StringBuilder(ids.length * 7 + 2).append('[');
        for (int i = 0; i < ids.length; i++) {
            line.append(i == 0 ? "" : ",").append(ids[i]);
        }
        return line.append(']').toString();
    }
}

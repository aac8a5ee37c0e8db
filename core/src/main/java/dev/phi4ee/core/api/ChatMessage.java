package dev.phi4ee.core.api;

import dev.phi4ee.core.generate.constrain.ToolCallFormat;
import java.util.List;
import java.util.Objects;

/**
 * A chat turn: a role ({@code system}, {@code user}, {@code assistant}, {@code tool}) and its parts, in order, rendered
 * as the published Phi-4 chat template does ({@code <|role|>content<|end|>}, reference §6.3). Like all content, text is
 * plain text, never control tokens.
 *
 * <ul>
 *   <li>A system message may carry tool definitions ({@code tools}, usually a JSON array as text), rendered between
 *       {@code <|tool|>} and {@code <|/tool|>}.
 *   <li>An assistant message may carry the {@code toolCalls} it made, rendered after its text as the model writes
 *       them: {@code <|tool_call|>[{"name":…,"arguments":{…}}]<|/tool_call|>} (the arguments text as it is).
 *   <li>A tool message is one tool result, text only: {@code <|tool|>result<|end|>}. Its {@code toolCallId} and
 *       {@code toolName} (both optional) are for API adapters; the template renders role and content only
 *       (docs/decisions/tool-result-turn.md).
 * </ul>
 */
public record ChatMessage(
        Role role,
        List<ContentPart> parts,
        String tools,
        List<ToolCall> toolCalls,
        String toolCallId,
        String toolName) {
    public enum Role {
        SYSTEM("system"),
        USER("user"),
        ASSISTANT("assistant"),
        /** A tool result fed back to the model. */
        TOOL("tool");

        private final String tag;

        Role(String tag) {
            this.tag = tag;
        }

        /** The name used in the Phi-4 chat format, e.g. {@code user} for {@code <|user|>}. */
        public String tag() {
            return tag;
        }
    }

    /** @throws InvalidInputException when a field does not belong to the role, or a call's arguments are not JSON */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        parts = List.copyOf(parts);
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        if (tools != null && role != Role.SYSTEM) {
            throw new InvalidInputException("only a system message carries tools, not a " + role.tag() + " one");
        }
        if (!toolCalls.isEmpty()) {
            if (role != Role.ASSISTANT) {
                throw new InvalidInputException(
                        "only an assistant message carries tool calls, not a " + role.tag() + " one");
            }
            ToolCallFormat.checked(toolCalls);
        }
        if ((toolCallId != null || toolName != null) && role != Role.TOOL) {
            throw new InvalidInputException(
                    "only a tool message names a tool call id or tool name, not a " + role.tag() + " one");
        }
        if (role == Role.TOOL) {
            for (ContentPart p : parts) {
                if (!(p instanceof ContentPart.Text)) {
                    throw new InvalidInputException("a tool message (tool result) takes text only, not "
                            + (p instanceof ContentPart.Image ? "an image" : "an audio") + " part");
                }
            }
        }
    }

    /** A message without tools, calls or a call id. */
    public ChatMessage(Role role, List<ContentPart> parts) {
        this(role, parts, null);
    }

    /** A message with tool definitions (system only) or without. */
    public ChatMessage(Role role, List<ContentPart> parts, String tools) {
        this(role, parts, tools, List.of(), null, null);
    }

    /** A system message with tool definitions (see the class comment). */
    public static ChatMessage system(String text, String tools) {
        return new ChatMessage(Role.SYSTEM, List.of(ContentPart.text(text)), Objects.requireNonNull(tools, "tools"));
    }

    public static ChatMessage system(String text) {
        return new ChatMessage(Role.SYSTEM, List.of(ContentPart.text(text)));
    }

    public static ChatMessage user(String text) {
        return new ChatMessage(Role.USER, List.of(ContentPart.text(text)));
    }

    public static ChatMessage user(List<ContentPart> parts) {
        return new ChatMessage(Role.USER, parts);
    }

    public static ChatMessage assistant(String text) {
        return new ChatMessage(Role.ASSISTANT, List.of(ContentPart.text(text)));
    }

    /**
     * An assistant turn that made tool calls, e.g. the text outside the markup of a {@link GenerationResult} and its
     * {@link GenerationResult#toolCalls()}.
     *
     * @param text the text before the calls; null or empty for none
     * @throws InvalidInputException when a call's arguments are not a JSON object
     */
    public static ChatMessage assistant(String text, List<ToolCall> toolCalls) {
        return new ChatMessage(
                Role.ASSISTANT, List.of(ContentPart.text(text == null ? "" : text)), null, toolCalls, null, null);
    }

    /** A tool result (see the class comment). */
    public static ChatMessage toolResult(String content) {
        return toolResult(null, null, content);
    }

    /**
     * A tool result answering a call.
     *
     * @param toolCallId the id of the call it answers ({@link ToolCall#id()}), or null; not rendered
     * @param toolName the called tool's name, or null; not rendered
     */
    public static ChatMessage toolResult(String toolCallId, String toolName, String content) {
        return new ChatMessage(
                Role.TOOL,
                List.of(ContentPart.text(Objects.requireNonNull(content, "content"))),
                null,
                List.of(),
                toolCallId,
                toolName);
    }
}

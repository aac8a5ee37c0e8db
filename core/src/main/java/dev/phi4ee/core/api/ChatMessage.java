package dev.phi4ee.core.api;

import java.util.List;
import java.util.Objects;

/**
 * A chat turn: a role ({@code system}, {@code user}, {@code assistant}) and its parts, in order. A system message may
 * carry tool definitions ({@code tools}, usually a JSON array as text), rendered between {@code <|tool|>} and
 * {@code <|/tool|>} as the Phi-4 chat template does; like all content they are plain text, never control tokens.
 */
public record ChatMessage(Role role, List<ContentPart> parts, String tools) {
    public enum Role {
        SYSTEM("system"),
        USER("user"),
        ASSISTANT("assistant");

        private final String tag;

        Role(String tag) {
            this.tag = tag;
        }

        /** The name used in the Phi-4 chat format, e.g. {@code user} for {@code <|user|>}. */
        public String tag() {
            return tag;
        }
    }

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        parts = List.copyOf(parts);
        if (tools != null && role != Role.SYSTEM) {
            throw new IllegalArgumentException("only a system message carries tools, not a " + role.tag() + " one");
        }
    }

    /** A message without tools. */
    public ChatMessage(Role role, List<ContentPart> parts) {
        this(role, parts, null);
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
}

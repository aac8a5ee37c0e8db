package dev.phi4ee.core.api;

import java.util.List;
import java.util.Objects;

/** A chat turn: a role ({@code system}, {@code user}, {@code assistant}) and its parts, in order. */
public record ChatMessage(Role role, List<ContentPart> parts) {
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

package dev.phi4ee.core.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Chat messages plus decoding options. Media parts are placed in the prompt where they appear, as
 * {@code <|image_N|>} / {@code <|audio_N|>} placeholders numbered in order of appearance.
 */
public record GenerationRequest(List<ChatMessage> messages, GenerationOptions options) {
    public GenerationRequest {
        messages = List.copyOf(messages);
        Objects.requireNonNull(options, "options");
        if (messages.isEmpty()) {
            throw new InvalidInputException("a request needs at least one message");
        }
    }

    public static GenerationRequest of(String userPrompt) {
        return builder().user(userPrompt).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a request; consecutive {@code user…}, {@code image}, {@code audio} calls fill one user message. */
    public static final class Builder {
        private final List<ChatMessage> messages = new ArrayList<>();
        private List<ContentPart> userParts;
        private GenerationOptions options = GenerationOptions.defaults();

        private Builder() {}

        public Builder system(String text) {
            flush();
            messages.add(ChatMessage.system(text));
            return this;
        }

        public Builder user(String text) {
            current().add(ContentPart.text(text));
            return this;
        }

        public Builder image(Media media) {
            current().add(ContentPart.image(media));
            return this;
        }

        public Builder audio(Media media) {
            current().add(ContentPart.audio(media));
            return this;
        }

        public Builder assistant(String text) {
            flush();
            messages.add(ChatMessage.assistant(text));
            return this;
        }

        public Builder message(ChatMessage message) {
            flush();
            messages.add(message);
            return this;
        }

        public Builder options(GenerationOptions options) {
            this.options = options;
            return this;
        }

        public GenerationRequest build() {
            flush();
            return new GenerationRequest(messages, options);
        }

        private List<ContentPart> current() {
            if (userParts == null) {
                userParts = new ArrayList<>();
            }
            return userParts;
        }

        private void flush() {
            if (userParts != null) {
                messages.add(ChatMessage.user(userParts));
                userParts = null;
            }
        }
    }
}

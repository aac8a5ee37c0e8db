package dev.phi4ee.core.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Chat messages plus decoding options, and the tools the model may call. Media parts are placed in the prompt where
 * they appear, as {@code <|image_N|>} / {@code <|audio_N|>} placeholders numbered in order of appearance. Tools are
 * listed in the first system message (one is added when there is none; see {@link ToolDefinition}).
 *
 * @param tools the functions the model may call (names unique); empty for none
 * @param toolChoice whether and which tool is called; must be {@link ToolChoice#auto()} or {@link ToolChoice#none()}
 *     when there are no tools
 */
public record GenerationRequest(
        List<ChatMessage> messages, GenerationOptions options, List<ToolDefinition> tools, ToolChoice toolChoice) {
    public GenerationRequest {
        messages = List.copyOf(messages);
        Objects.requireNonNull(options, "options");
        tools = tools == null ? List.of() : List.copyOf(tools);
        toolChoice = toolChoice == null ? ToolChoice.auto() : toolChoice;
        if (messages.isEmpty()) {
            throw new InvalidInputException("a request needs at least one message");
        }
        checkTools(messages, tools, toolChoice, options);
    }

    /** A request without tools. */
    public GenerationRequest(List<ChatMessage> messages, GenerationOptions options) {
        this(messages, options, List.of(), ToolChoice.auto());
    }

    private static void checkTools(
            List<ChatMessage> messages, List<ToolDefinition> tools, ToolChoice choice, GenerationOptions options) {
        Set<String> names = new HashSet<>();
        for (ToolDefinition t : tools) {
            if (!names.add(t.name())) {
                throw new InvalidInputException("tools: the name '" + t.name() + "' is defined twice");
            }
        }
        boolean calls = choice.mode() == ToolChoice.Mode.REQUIRED || choice.mode() == ToolChoice.Mode.NAMED;
        if (calls && tools.isEmpty()) {
            throw new InvalidInputException("toolChoice " + choice.mode() + " needs at least one tool");
        }
        if (choice.mode() == ToolChoice.Mode.NAMED && !names.contains(choice.name())) {
            throw new InvalidInputException("toolChoice names '" + choice.name() + "', which is not among the tools");
        }
        if (calls && options.responseFormat().constrained()) {
            throw new InvalidInputException(
                    "toolChoice " + choice.mode() + " and a JSON response format exclude each other");
        }
        if (!tools.isEmpty() && messages.stream().anyMatch(m -> m.tools() != null)) {
            throw new InvalidInputException("tools are given both in the request and in a system message");
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
        private final List<ToolDefinition> tools = new ArrayList<>();
        private ToolChoice toolChoice = ToolChoice.auto();

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

        /** Adds a tool the model may call. */
        public Builder tool(ToolDefinition tool) {
            tools.add(Objects.requireNonNull(tool, "tool"));
            return this;
        }

        public Builder tools(List<ToolDefinition> v) {
            tools.clear();
            tools.addAll(v);
            return this;
        }

        public Builder toolChoice(ToolChoice v) {
            toolChoice = v;
            return this;
        }

        public GenerationRequest build() {
            flush();
            return new GenerationRequest(messages, options, tools, toolChoice);
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

package dev.phi4ee.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.phi4ee.core.api.GenerationResult;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;

/**
 * A LangChain4j {@link ChatModel} running Phi-4-multimodal in-process on a shared {@link dev.phi4ee.core.api.Phi4Engine}
 * (no HTTP): system, user and AI messages; text, image, audio and PDF content given as bytes; token usage and finish
 * reason in every response. Concurrent calls are batched by the engine.
 *
 * <pre>{@code
 * ChatModel model = Phi4ChatModel.builder().engine(engine).maxOutputTokens(200).build();
 * String answer = model.chat("Describe the sea in one sentence.");
 * }</pre>
 */
public final class Phi4ChatModel implements ChatModel {
    private final Phi4ChatSettings settings;

    private Phi4ChatModel(Phi4ChatSettings settings) {
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        try {
            GenerationResult result =
                    settings.submit(request, delta -> {}).result().join();
            return RequestMapping.toChatResponse(result, settings.modelName(), settings.hasTools(request));
        } catch (CompletionException | dev.phi4ee.core.api.Phi4Exception e) {
            throw Errors.map(e);
        }
    }

    /** A JSON schema response format constrains decoding, so AiServices may ask for structured output directly. */
    @Override
    public Set<Capability> supportedCapabilities() {
        return Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return settings.defaults();
    }

    @Override
    public List<ChatModelListener> listeners() {
        return settings.listeners();
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    public static final class Builder extends Phi4ModelBuilder<Builder> {
        private Builder() {}

        public Phi4ChatModel build() {
            return new Phi4ChatModel(settings());
        }
    }
}

package dev.phi4ee.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.util.List;
import java.util.Set;

/**
 * A LangChain4j {@link StreamingChatModel} over an in-process {@link dev.phi4ee.core.api.Phi4Engine}: text arrives as
 * the engine produces it, on a virtual thread of its own (a slow handler never stalls the engine's shared decode
 * loop). {@code PartialResponseContext.streamingHandle().cancel()} frees the request's batch slot at once.
 */
public final class Phi4StreamingChatModel implements StreamingChatModel {
    private final Phi4ChatSettings settings;

    private Phi4StreamingChatModel(Phi4ChatSettings settings) {
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        StreamRelay relay = new StreamRelay(handler, settings.modelName(), settings.hasTools(request));
        try {
            relay.attach(settings.submit(request, relay));
        } catch (RuntimeException e) {
            relay.onError(e);
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

        public Phi4StreamingChatModel build() {
            return new Phi4StreamingChatModel(settings());
        }
    }
}

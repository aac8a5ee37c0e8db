package dev.phi4ee.langchain4j;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.phi4ee.core.api.ContextLengthExceededException;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.TokenListener;
import java.util.List;
import java.util.Objects;

/**
 * What both chat models share: the engine (owned by the caller, never closed here), the name reported in responses,
 * default request parameters, an optional seed and the listeners.
 */
record Phi4ChatSettings(
        Phi4Engine engine,
        String modelName,
        ChatRequestParameters defaults,
        Long seed,
        List<ChatModelListener> listeners) {

    static final String DEFAULT_MODEL_NAME = "phi-4-multimodal-instruct";

    Phi4ChatSettings {
        Objects.requireNonNull(engine, "engine");
        modelName = modelName == null ? DEFAULT_MODEL_NAME : modelName;
        defaults = defaults == null
                ? DefaultChatRequestParameters.builder().modelName(modelName).build()
                : defaults;
        listeners = listeners == null ? List.of() : List.copyOf(listeners);
    }

    /** Whether the request, with the defaults, offers tools (then answers are split into text and calls). */
    boolean hasTools(ChatRequest request) {
        List<ToolSpecification> tools =
                defaults.overrideWith(request.parameters()).toolSpecifications();
        return tools != null && !tools.isEmpty();
    }

    /**
     * Submits a request. Without {@code maxOutputTokens}, up to {@link GenerationOptions#DEFAULT_MAX_NEW_TOKENS} are
     * generated, fewer when the context window leaves less; an explicit bound that does not fit is an error.
     */
    GenerationHandle submit(ChatRequest request, TokenListener listener) {
        ChatRequest merged = ChatRequest.builder()
                .messages(request.messages())
                .parameters(defaults.overrideWith(request.parameters()))
                .build();
        GenerationRequest engineRequest =
                RequestMapping.toEngine(merged, seed, GenerationOptions.DEFAULT_MAX_NEW_TOKENS);
        try {
            return engine.stream(engineRequest, listener);
        } catch (ContextLengthExceededException e) {
            int room = e.maxLength() - e.promptTokens();
            if (merged.parameters().maxOutputTokens() != null || room < 1) {
                throw e;
            }
            GenerationRequest shorter = new GenerationRequest(
                    engineRequest.messages(),
                    engineRequest.options().toBuilder().maxNewTokens(room).build(),
                    engineRequest.tools(),
                    engineRequest.toolChoice());
            return engine.stream(shorter, listener);
        }
    }
}

package dev.phi4ee.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.phi4ee.core.api.Phi4Engine;
import java.util.List;

/**
 * Settings shared by {@link Phi4ChatModel} and {@link Phi4StreamingChatModel}. Per-request parameters override
 * these defaults. Without a temperature decoding is greedy (the engine's default): the same prompt gives the same
 * answer, which is what most in-process uses (extraction, classification, tests) want.
 */
public abstract class Phi4ModelBuilder<B extends Phi4ModelBuilder<B>> {
    private Phi4Engine engine;
    private String modelName;
    private ChatRequestParameters defaults;
    private Double temperature;
    private Integer maxOutputTokens;
    private Long seed;
    private List<ChatModelListener> listeners;

    Phi4ModelBuilder() {}

    /** The engine to run on; required. It stays owned by the caller: the models never close it. */
    public B engine(Phi4Engine engine) {
        this.engine = engine;
        return self();
    }

    /** The name reported in responses; default {@code phi-4-multimodal-instruct}. */
    public B modelName(String modelName) {
        this.modelName = modelName;
        return self();
    }

    /** Defaults for every request; {@link #temperature} and {@link #maxOutputTokens} override their fields. */
    public B defaultRequestParameters(ChatRequestParameters parameters) {
        this.defaults = parameters;
        return self();
    }

    /** Sampling temperature; 0 or unset means greedy decoding. */
    public B temperature(Double temperature) {
        this.temperature = temperature;
        return self();
    }

    public B maxOutputTokens(Integer maxOutputTokens) {
        this.maxOutputTokens = maxOutputTokens;
        return self();
    }

    /** Random seed for sampling; the same seed and request give the same answer. */
    public B seed(Long seed) {
        this.seed = seed;
        return self();
    }

    public B listeners(List<ChatModelListener> listeners) {
        this.listeners = listeners;
        return self();
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    Phi4ChatSettings settings() {
        String name = modelName != null ? modelName : Phi4ChatSettings.DEFAULT_MODEL_NAME;
        ChatRequestParameters base = defaults != null ? defaults : DefaultChatRequestParameters.EMPTY;
        ChatRequestParameters merged = DefaultChatRequestParameters.builder()
                .overrideWith(base)
                .modelName(base.modelName() != null ? base.modelName() : name)
                .temperature(temperature != null ? temperature : base.temperature())
                .maxOutputTokens(maxOutputTokens != null ? maxOutputTokens : base.maxOutputTokens())
                .build();
        return new Phi4ChatSettings(engine, name, merged, seed, listeners);
    }
}

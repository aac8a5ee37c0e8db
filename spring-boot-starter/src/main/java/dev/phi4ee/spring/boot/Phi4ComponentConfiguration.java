package dev.phi4ee.spring.boot;

import dev.phi4ee.camel.Phi4Component;
import dev.phi4ee.camel.Phi4Configuration;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code camel.component.phi4.*} properties: defaults of every {@code phi4:} endpoint of the application, as
 * camel-spring-boot's starters offer for Camel's own components. The engine is not configured here: routes use the
 * application's {@link dev.phi4ee.core.api.Phi4Engine} bean, set up by the {@code phi4.*} properties.
 */
@ConfigurationProperties("camel.component.phi4")
public class Phi4ComponentConfiguration {

    /** Whether to apply these properties to the phi4 component. */
    private boolean enabled = true;

    /** System prompt placed before the user turn. */
    private String systemPrompt;

    /**
     * The user prompt. A Camel simple expression is allowed (e.g. 'Summarise: ${body}'). A String body is the prompt
     * when neither this nor the CamelPhi4Prompt header is set.
     */
    private String prompt;

    /** Upper bound of generated tokens (max_new_tokens). */
    private int maxOutputLength = 256;

    /** Sampling temperature; setting temperature, top-p or top-k switches greedy decoding to sampling. */
    private Double temperature;

    /** Nucleus sampling probability mass, above 0 and at most 1. */
    private Double topP;

    /** Keep only the k most likely tokens when sampling; 0 = off. */
    private Integer topK;

    /** Random seed: the same seed and request give the same text. */
    private Long seed;

    /** Comma-separated strings that end generation; they are not part of the result. */
    private String stopSequences;

    /** Per-request deadline (e.g. 30s); the result then ends with finish reason DEADLINE. 0 = none. */
    private Duration timeout = Duration.ZERO;

    /**
     * Stream the text. Without streaming-endpoint the body becomes an iterator of String chunks for
     * split(body()).streaming(); with it every chunk is sent, in order, as its own exchange to that endpoint and the
     * exchange still ends with the whole text.
     */
    private boolean streaming = false;

    /** Endpoint URI that receives one exchange per text chunk when streaming is on. */
    private String streamingEndpoint;

    /** Keep the body the exchange had before generation in the CamelPhi4OriginalBody header. */
    private boolean keepOriginalBody = true;

    /**
     * A JSON Schema the answer is valid for by construction: inline JSON, or a resource such as
     * resource:classpath:invoice.schema.json.
     */
    private String jsonSchema;

    /** Answer with a JSON object (any object; json-schema, when set, constrains it further). */
    private boolean jsonMode = false;

    /** Fully qualified class the JSON answer is parsed into with Jackson: the body becomes that object. */
    private String outputClass;

    /** Tools the model may call: a JSON array of {name, description, parameters} objects, inline or a resource. */
    private String tools;

    /** auto (the model decides), none, required, or a tool's name. */
    private String toolChoice = "auto";

    /**
     * Whether the producer should be started lazy (on the first message), so that a route can start even when the
     * producer would fail at startup.
     */
    private boolean lazyStartProducer = false;

    /** Copies these defaults onto the component's configuration (endpoints copy it when they are created). */
    void applyTo(Phi4Component component) {
        Phi4Configuration c = component.getConfiguration();
        c.setSystemPrompt(systemPrompt);
        c.setPrompt(prompt);
        c.setMaxOutputLength(maxOutputLength);
        c.setTemperature(temperature);
        c.setTopP(topP);
        c.setTopK(topK);
        c.setSeed(seed);
        c.setStopSequences(stopSequences);
        c.setTimeout(timeout.toMillis());
        c.setStreaming(streaming);
        c.setStreamingEndpoint(streamingEndpoint);
        c.setKeepOriginalBody(keepOriginalBody);
        c.setJsonSchema(jsonSchema);
        c.setJsonMode(jsonMode);
        c.setOutputClass(outputClass);
        c.setTools(tools);
        c.setToolChoice(toolChoice);
        component.setLazyStartProducer(lazyStartProducer);
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getSystemPrompt() {
        return systemPrompt;
    }

    public void setSystemPrompt(String systemPrompt) {
        this.systemPrompt = systemPrompt;
    }

    public String getPrompt() {
        return prompt;
    }

    public void setPrompt(String prompt) {
        this.prompt = prompt;
    }

    public int getMaxOutputLength() {
        return maxOutputLength;
    }

    public void setMaxOutputLength(int maxOutputLength) {
        this.maxOutputLength = maxOutputLength;
    }

    public Double getTemperature() {
        return temperature;
    }

    public void setTemperature(Double temperature) {
        this.temperature = temperature;
    }

    public Double getTopP() {
        return topP;
    }

    public void setTopP(Double topP) {
        this.topP = topP;
    }

    public Integer getTopK() {
        return topK;
    }

    public void setTopK(Integer topK) {
        this.topK = topK;
    }

    public Long getSeed() {
        return seed;
    }

    public void setSeed(Long seed) {
        this.seed = seed;
    }

    public String getStopSequences() {
        return stopSequences;
    }

    public void setStopSequences(String stopSequences) {
        this.stopSequences = stopSequences;
    }

    public Duration getTimeout() {
        return timeout;
    }

    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    public boolean isStreaming() {
        return streaming;
    }

    public void setStreaming(boolean streaming) {
        this.streaming = streaming;
    }

    public String getStreamingEndpoint() {
        return streamingEndpoint;
    }

    public void setStreamingEndpoint(String streamingEndpoint) {
        this.streamingEndpoint = streamingEndpoint;
    }

    public boolean isKeepOriginalBody() {
        return keepOriginalBody;
    }

    public void setKeepOriginalBody(boolean keepOriginalBody) {
        this.keepOriginalBody = keepOriginalBody;
    }

    public boolean isLazyStartProducer() {
        return lazyStartProducer;
    }

    public void setLazyStartProducer(boolean lazyStartProducer) {
        this.lazyStartProducer = lazyStartProducer;
    }

    public String getJsonSchema() {
        return jsonSchema;
    }

    public void setJsonSchema(String jsonSchema) {
        this.jsonSchema = jsonSchema;
    }

    public boolean isJsonMode() {
        return jsonMode;
    }

    public void setJsonMode(boolean jsonMode) {
        this.jsonMode = jsonMode;
    }

    public String getOutputClass() {
        return outputClass;
    }

    public void setOutputClass(String outputClass) {
        this.outputClass = outputClass;
    }

    public String getTools() {
        return tools;
    }

    public void setTools(String tools) {
        this.tools = tools;
    }

    public String getToolChoice() {
        return toolChoice;
    }

    public void setToolChoice(String toolChoice) {
        this.toolChoice = toolChoice;
    }
}

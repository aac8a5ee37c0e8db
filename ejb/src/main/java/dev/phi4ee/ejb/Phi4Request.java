package dev.phi4ee.ejb;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A request to {@link Phi4Service} and, as JSON, to the request queue. Null options mean the engine's defaults
 * (greedy decoding, 256 new tokens). Setting temperature, topP or topK switches to sampling. A {@code responseFormat}
 * of type {@code json_schema} makes the answer valid JSON for its schema by construction; {@code tools} let the model
 * answer with calls ({@link Phi4Response#getToolCalls()}).
 */
@PromptOrMedia
public class Phi4Request implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int MAX_MEDIA_ITEMS = 16;
    public static final int MAX_NEW_TOKENS = 4096;

    @Size(max = 100_000, message = "prompt must be at most 100000 characters")
    private String prompt;

    @Size(max = 20_000, message = "systemPrompt must be at most 20000 characters")
    private String systemPrompt;

    @Size(max = MAX_MEDIA_ITEMS, message = "at most " + MAX_MEDIA_ITEMS + " media items")
    private List<@NotNull @Valid MediaInput> media = new ArrayList<>();

    @Min(value = 1, message = "maxNewTokens must be >= 1")
    @Max(value = MAX_NEW_TOKENS, message = "maxNewTokens must be <= " + MAX_NEW_TOKENS)
    private Integer maxNewTokens;

    @DecimalMin(value = "0.0", message = "temperature must be >= 0")
    @DecimalMax(value = "2.0", message = "temperature must be <= 2")
    private Double temperature;

    @DecimalMin(value = "0.0", inclusive = false, message = "topP must be > 0")
    @DecimalMax(value = "1.0", message = "topP must be <= 1")
    private Double topP;

    @Min(value = 0, message = "topK must be >= 0")
    private Integer topK;

    private Long seed;

    @Size(max = 16)
    private List<@NotNull @Size(min = 1, max = 200) String> stopSequences = new ArrayList<>();

    @Min(value = 1, message = "timeoutMillis must be >= 1")
    private Long timeoutMillis;

    /** Null: free text. */
    @Valid
    private ResponseFormatInput responseFormat;

    @Size(max = 128, message = "at most 128 tools")
    private List<@NotNull @Valid ToolInput> tools = new ArrayList<>();

    /** auto (default), none, required, or the name of one of the tools. */
    @Size(max = 64)
    private String toolChoice;

    public Phi4Request() {}

    public static Phi4Request ofPrompt(String prompt) {
        Phi4Request r = new Phi4Request();
        r.setPrompt(prompt);
        return r;
    }

    public String getPrompt() {
        return prompt;
    }

    public void setPrompt(String prompt) {
        this.prompt = prompt;
    }

    public String getSystemPrompt() {
        return systemPrompt;
    }

    public void setSystemPrompt(String systemPrompt) {
        this.systemPrompt = systemPrompt;
    }

    public List<MediaInput> getMedia() {
        return media;
    }

    public void setMedia(List<MediaInput> media) {
        this.media = media;
    }

    public Integer getMaxNewTokens() {
        return maxNewTokens;
    }

    public void setMaxNewTokens(Integer maxNewTokens) {
        this.maxNewTokens = maxNewTokens;
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

    public List<String> getStopSequences() {
        return stopSequences;
    }

    public void setStopSequences(List<String> stopSequences) {
        this.stopSequences = stopSequences;
    }

    public Long getTimeoutMillis() {
        return timeoutMillis;
    }

    public void setTimeoutMillis(Long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    public ResponseFormatInput getResponseFormat() {
        return responseFormat;
    }

    public void setResponseFormat(ResponseFormatInput responseFormat) {
        this.responseFormat = responseFormat;
    }

    public List<ToolInput> getTools() {
        return tools;
    }

    public void setTools(List<ToolInput> tools) {
        this.tools = tools;
    }

    public String getToolChoice() {
        return toolChoice;
    }

    public void setToolChoice(String toolChoice) {
        this.toolChoice = toolChoice;
    }
}

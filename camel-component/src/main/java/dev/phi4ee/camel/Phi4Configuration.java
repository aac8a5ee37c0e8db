package dev.phi4ee.camel;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.api.Phi4Engine;
import java.time.Duration;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Configurer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;

/** Options of a {@code phi4:} endpoint. The component holds defaults; each endpoint works on its own {@link #copy()}. */
@Configurer
@UriParams
public class Phi4Configuration implements Cloneable {

    @UriParam(
            label = "advanced",
            description = "The shared engine. When absent the component's engine is used (autowired from the registry"
                    + " when exactly one Phi4Engine is bound), else one is opened from modelPath.")
    @Metadata(autowired = true)
    private Phi4Engine engine;

    @UriParam(
            description = "Model directory (official Phi-4-multimodal-instruct-onnx layout) the component opens when"
                    + " no engine bean is available. Endpoints with the same modelPath share one engine.")
    private String modelPath;

    @UriParam(
            defaultValue = "auto",
            description = "Execution provider used when the engine is opened from modelPath: auto (CUDA when it loads,"
                    + " else CPU), cpu, cuda or cuda:N.")
    private String executionProvider = "auto";

    @UriParam(
            label = "advanced",
            defaultValue = "0",
            description = "Context window of the engine opened from modelPath; 0 = the largest its KV cache memory"
                    + " budget gives maxBatchSize requests (fewer requests when the window would drop below 8192"
                    + " tokens), at most the model config's max_length.")
    private int maxLength;

    @UriParam(
            label = "advanced",
            defaultValue = "8",
            description = "Most requests the engine opened from modelPath decodes together; its KV cache memory"
                    + " budget may allow fewer.")
    private int maxBatchSize = 8;

    @UriParam(
            label = "advanced",
            description = "KV cache memory budget of the engine opened from modelPath, in bytes or with a binary unit"
                    + " (e.g. 8g, 512m). When absent it is derived from gpuMemoryUtilization (CUDA) or"
                    + " hostMemoryUtilization (CPU).")
    private String kvCacheBytes;

    @UriParam(
            label = "advanced",
            defaultValue = "0.9",
            description = "Share of a CUDA device's memory the engine opened from modelPath may fill (as vLLM's"
                    + " gpu_memory_utilization): its KV cache gets this share of the device's total memory minus what"
                    + " is in use once the model is loaded.")
    private double gpuMemoryUtilization = EngineOptions.DEFAULT_GPU_MEMORY_UTILIZATION;

    @UriParam(
            label = "advanced",
            defaultValue = "0.8",
            description = "Share of the host's physical memory the process may fill when the engine opened from"
                    + " modelPath runs on the CPU: its KV cache gets this share minus the process's memory after"
                    + " loading (and the Java heap it may still grow to).")
    private double hostMemoryUtilization = EngineOptions.DEFAULT_HOST_MEMORY_UTILIZATION;

    @UriParam(
            label = "advanced",
            defaultValue = "262144",
            description = "Bound of the waiting queue of the engine opened from modelPath in tokens (sum of prompt +"
                    + " maxOutputLength of the waiting requests, media tokens included); a request beyond it is rejected"
                    + " as overloaded. 0 = no bound. (Named without 'token': Camel masks such option names in logs.)")
    private long maxQueuedLength = EngineOptions.defaults().maxQueuedTokens();

    @UriParam(
            label = "advanced",
            defaultValue = "100m",
            description = "Most encoded bytes of all images, documents and recordings of one request (engine opened"
                    + " from modelPath), checked before any is decoded; bytes or a binary unit (e.g. 100m).")
    private String maxMediaBytes;

    @UriParam(
            label = "advanced",
            defaultValue = "32",
            description = "Most images of one request, each document page counting as one (engine opened from"
                    + " modelPath), checked from the headers before decoding.")
    private int maxImagesPerRequest = EngineOptions.defaults().maxImagesPerRequest();

    @UriParam(
            label = "advanced",
            defaultValue = "200000000",
            description = "Most pixels of all images and pages of one request (engine opened from modelPath), checked"
                    + " from the headers before decoding.")
    private long maxPixelsPerRequest = EngineOptions.defaults().maxPixelsPerRequest();

    @UriParam(
            label = "advanced",
            defaultValue = "false",
            description = "When the engine opened from modelPath asks for CUDA (executionProvider cuda or cuda:N) and"
                    + " CUDA cannot be used, fail instead of falling back to the CPU.")
    private boolean strictExecutionProvider;

    @UriParam(
            label = "advanced",
            defaultValue = "0",
            description = "ONNX Runtime intra-op threads of the engine opened from modelPath; 0 = the runtime's"
                    + " default (one per core).")
    private int intraOpThreads;

    @UriParam(
            label = "advanced",
            defaultValue = "AUTO",
            enums = "AUTO,SHARED_BUFFER,GROWING",
            description = "KV cache layout of the engine opened from modelPath: AUTO (as the model's genai_config.json"
                    + " says), SHARED_BUFFER (one max-length buffer per layer) or GROWING (buffers grow with the"
                    + " sequence).")
    private KvCacheMode kvCacheMode = KvCacheMode.AUTO;

    @UriParam(
            label = "advanced",
            defaultValue = "256",
            description = "Requests the engine opened from modelPath lets wait for a free decoding slot; more are"
                    + " rejected at once (EngineOverloadedException).")
    private int maxQueuedRequests = 256;

    @UriParam(
            label = "advanced",
            defaultValue = "0",
            description = "Bound on the sum of prompt length plus maxOutputLength over the requests the engine opened"
                    + " from modelPath runs at once, in tokens; 0 = no bound. (Named without 'token': Camel masks"
                    + " option names containing it in logs.)")
    private long maxInFlightLength;

    @UriParam(
            label = "advanced",
            defaultValue = "100000000",
            description = "Largest image, in pixels (width x height, read from its header before decoding), the engine"
                    + " opened from modelPath accepts.")
    private long maxImagePixels = 100_000_000L;

    @UriParam(
            label = "advanced",
            defaultValue = "20",
            description = "Most pages of a PDF or multi-page TIFF the engine opened from modelPath accepts.")
    private int maxDocumentPages = 20;

    @UriParam(
            label = "advanced",
            defaultValue = "200",
            description = "Resolution, in dots per inch (36 to 1200), at which the engine opened from modelPath renders"
                    + " PDF pages.")
    private int documentDpi = 200;

    @UriParam(
            label = "advanced",
            javaType = "java.time.Duration",
            defaultValue = "30m",
            description = "Longest recording the engine opened from modelPath accepts (e.g. 90s, 30m).")
    private long maxAudioDuration = Duration.ofMinutes(30).toMillis();

    @UriParam(
            label = "advanced",
            defaultValue = "1000000",
            description = "Most content-stream operations the engine opened from modelPath runs to draw one PDF page,"
                    + " those of the forms it draws included; a document beyond it is rejected.")
    private long maxPageOperations = EngineOptions.defaults().maxPageOperations();

    @UriParam(
            label = "advanced",
            javaType = "java.time.Duration",
            defaultValue = "10s",
            description = "Longest time the engine opened from modelPath spends drawing one PDF page (e.g. 10s, 500ms);"
                    + " a document beyond it is rejected.")
    private long maxPageRenderTime =
            EngineOptions.defaults().maxPageRenderTime().toMillis();

    @UriParam(
            label = "advanced",
            description =
                    "CUDA arena limit of the engine opened from modelPath (ONNX Runtime's gpu_mem_limit): bytes or"
                            + " a binary unit (20g); unset = the weights, the KV plan and a working margin.")
    private String gpuMemLimit;

    @UriParam(
            label = "advanced",
            defaultValue = "512m",
            description = "Memory of the engine opened from modelPath for reusable prompt prefixes (the same system"
                    + " prompt or document on every message): bytes or a binary unit (512m); 0 = no prefix reuse.")
    private String prefixCacheBytes;

    @UriParam(
            label = "advanced",
            defaultValue = "64",
            description = "Tokens per cached prefix block of the engine opened from modelPath: the granularity of"
                    + " prefix reuse.")
    private int prefixBlockTokens = EngineOptions.DEFAULT_PREFIX_BLOCK_TOKENS;

    @UriParam(
            label = "advanced",
            defaultValue = "512",
            description = "Prompt positions the engine opened from modelPath runs per step, between the decode steps of"
                    + " the running requests, so a long prompt does not stall their streams; 0 = each prompt whole at"
                    + " its admission.")
    private int prefillChunkTokens = EngineOptions.DEFAULT_PREFILL_CHUNK_TOKENS;

    @UriParam(
            label = "advanced",
            defaultValue = "1",
            description =
                    "Threads that choose the next tokens of a batched step's sampling rows in the engine opened from"
                            + " modelPath: the engine thread and tokenChoiceThreads - 1 helpers. Worth raising with CUDA and"
                            + " sampling (top-p), where choosing costs more than the step; tokens are the same as with 1.")
    private int tokenChoiceThreads = 1;

    @UriParam(description = "System prompt placed before the user turn.")
    private String systemPrompt;

    @UriParam(
            description = "The user prompt. A Camel simple expression is allowed (e.g. 'Summarise: ${body}'). A String"
                    + " body is the prompt when neither this nor the CamelPhi4Prompt header is set.")
    private String prompt;

    @UriParam(
            defaultValue = "256",
            description = "Upper bound of generated tokens (max_new_tokens). Named without 'token' so that logged"
                    + " endpoint URIs show it: Camel masks option names containing 'token' as secrets.")
    private int maxOutputLength = 256;

    @UriParam(
            label = "deprecated",
            description = "Former name of maxOutputLength; still accepted, but Camel prints its value as xxxxxx in"
                    + " logs and errors.")
    @Deprecated(since = "0.1.0")
    private Integer maxNewTokens;

    @UriParam(
            description = "Sampling temperature; setting temperature, topP or topK switches greedy decoding to"
                    + " sampling.")
    private Double temperature;

    @UriParam(description = "Nucleus sampling probability mass, above 0 and at most 1.")
    private Double topP;

    @UriParam(description = "Keep only the k most likely tokens when sampling; 0 = off.")
    private Integer topK;

    @UriParam(description = "Random seed: the same seed and request give the same text.")
    private Long seed;

    @UriParam(description = "Comma-separated strings that end generation; they are not part of the result.")
    private String stopSequences;

    @UriParam(
            javaType = "java.time.Duration",
            defaultValue = "0",
            description =
                    "Per-request deadline (e.g. 30s); the result then ends with finish reason DEADLINE. 0 =" + " none.")
    private long timeout;

    @UriParam(
            defaultValue = "false",
            description = "Stream the text. Without streamingEndpoint the body becomes an Iterator<String> of chunks"
                    + " (also Closeable) for split(body()).streaming(), filled while the text is generated; the result"
                    + " headers are set once it is exhausted, a failure is thrown from it, and closing it early (or"
                    + " the exchange completing) cancels the generation. With streamingEndpoint every chunk is sent,"
                    + " in order, as its own exchange to that endpoint, and the exchange still ends with the whole"
                    + " text.")
    private boolean streaming;

    @UriParam(
            description = "Endpoint URI that receives one exchange per text chunk when streaming is on (instead of an"
                    + " iterator body).")
    private String streamingEndpoint;

    @UriParam(
            defaultValue = "true",
            description = "Keep the body the exchange had before generation in the CamelPhi4OriginalBody header.")
    private boolean keepOriginalBody = true;

    @UriParam(
            label = "structured",
            description = "A JSON Schema the answer is valid for by construction (constrained decoding): inline JSON,"
                    + " or a resource such as resource:classpath:invoice.schema.json or file:/etc/invoice.json. The"
                    + " CamelPhi4JsonSchema header overrides it per exchange.")
    @Metadata(supportFileReference = true, largeInput = true, inputLanguage = "json")
    private String jsonSchema;

    @UriParam(
            label = "structured",
            defaultValue = "false",
            description = "Answer with a JSON object (any object; jsonSchema, when set, constrains it further).")
    private boolean jsonMode;

    @UriParam(
            label = "structured",
            description = "Fully qualified class the JSON answer is parsed into with Jackson: the body becomes that"
                    + " object. Decoding is constrained to jsonSchema when set, else to the class's own JSON Schema"
                    + " (every field required, no other properties).")
    private String outputClass;

    @UriParam(
            label = "structured",
            description = "Tools the model may call: a JSON array of {name, description, parameters} objects"
                    + " (parameters a JSON Schema), inline or a resource. Calls come back in the CamelPhi4ToolCalls"
                    + " header; an answer that ended in calls has them as its body.")
    @Metadata(supportFileReference = true, largeInput = true, inputLanguage = "json")
    private String tools;

    @UriParam(
            label = "structured",
            defaultValue = "auto",
            description = "auto (the model decides), none (no calls), required (the answer is calls) or a tool's"
                    + " name (the answer is calls of that tool, arguments valid for its parameters).")
    private String toolChoice = "auto";

    public Phi4Engine getEngine() {
        return engine;
    }

    public void setEngine(Phi4Engine engine) {
        this.engine = engine;
    }

    public String getModelPath() {
        return modelPath;
    }

    public void setModelPath(String modelPath) {
        this.modelPath = modelPath;
    }

    public String getExecutionProvider() {
        return executionProvider;
    }

    public void setExecutionProvider(String executionProvider) {
        this.executionProvider = executionProvider;
    }

    public int getMaxLength() {
        return maxLength;
    }

    public void setMaxLength(int maxLength) {
        this.maxLength = maxLength;
    }

    public int getMaxBatchSize() {
        return maxBatchSize;
    }

    public void setMaxBatchSize(int maxBatchSize) {
        this.maxBatchSize = maxBatchSize;
    }

    public String getKvCacheBytes() {
        return kvCacheBytes;
    }

    public void setKvCacheBytes(String kvCacheBytes) {
        this.kvCacheBytes = kvCacheBytes;
    }

    public double getGpuMemoryUtilization() {
        return gpuMemoryUtilization;
    }

    public void setGpuMemoryUtilization(double gpuMemoryUtilization) {
        this.gpuMemoryUtilization = gpuMemoryUtilization;
    }

    public double getHostMemoryUtilization() {
        return hostMemoryUtilization;
    }

    public void setHostMemoryUtilization(double hostMemoryUtilization) {
        this.hostMemoryUtilization = hostMemoryUtilization;
    }

    public long getMaxQueuedLength() {
        return maxQueuedLength;
    }

    public void setMaxQueuedLength(long maxQueuedLength) {
        this.maxQueuedLength = maxQueuedLength;
    }

    public String getMaxMediaBytes() {
        return maxMediaBytes;
    }

    public void setMaxMediaBytes(String maxMediaBytes) {
        this.maxMediaBytes = maxMediaBytes;
    }

    public int getMaxImagesPerRequest() {
        return maxImagesPerRequest;
    }

    public void setMaxImagesPerRequest(int maxImagesPerRequest) {
        this.maxImagesPerRequest = maxImagesPerRequest;
    }

    public long getMaxPixelsPerRequest() {
        return maxPixelsPerRequest;
    }

    public void setMaxPixelsPerRequest(long maxPixelsPerRequest) {
        this.maxPixelsPerRequest = maxPixelsPerRequest;
    }

    public boolean isStrictExecutionProvider() {
        return strictExecutionProvider;
    }

    public void setStrictExecutionProvider(boolean strictExecutionProvider) {
        this.strictExecutionProvider = strictExecutionProvider;
    }

    public int getIntraOpThreads() {
        return intraOpThreads;
    }

    public void setIntraOpThreads(int intraOpThreads) {
        this.intraOpThreads = intraOpThreads;
    }

    public KvCacheMode getKvCacheMode() {
        return kvCacheMode;
    }

    public void setKvCacheMode(KvCacheMode kvCacheMode) {
        this.kvCacheMode = kvCacheMode;
    }

    public int getMaxQueuedRequests() {
        return maxQueuedRequests;
    }

    public void setMaxQueuedRequests(int maxQueuedRequests) {
        this.maxQueuedRequests = maxQueuedRequests;
    }

    public long getMaxInFlightLength() {
        return maxInFlightLength;
    }

    public void setMaxInFlightLength(long maxInFlightLength) {
        this.maxInFlightLength = maxInFlightLength;
    }

    public long getMaxImagePixels() {
        return maxImagePixels;
    }

    public void setMaxImagePixels(long maxImagePixels) {
        this.maxImagePixels = maxImagePixels;
    }

    public int getMaxDocumentPages() {
        return maxDocumentPages;
    }

    public void setMaxDocumentPages(int maxDocumentPages) {
        this.maxDocumentPages = maxDocumentPages;
    }

    public int getDocumentDpi() {
        return documentDpi;
    }

    public void setDocumentDpi(int documentDpi) {
        this.documentDpi = documentDpi;
    }

    public long getMaxAudioDuration() {
        return maxAudioDuration;
    }

    public void setMaxAudioDuration(long maxAudioDuration) {
        this.maxAudioDuration = maxAudioDuration;
    }

    public long getMaxPageOperations() {
        return maxPageOperations;
    }

    public void setMaxPageOperations(long maxPageOperations) {
        this.maxPageOperations = maxPageOperations;
    }

    public long getMaxPageRenderTime() {
        return maxPageRenderTime;
    }

    public void setMaxPageRenderTime(long maxPageRenderTime) {
        this.maxPageRenderTime = maxPageRenderTime;
    }

    public String getGpuMemLimit() {
        return gpuMemLimit;
    }

    public void setGpuMemLimit(String gpuMemLimit) {
        this.gpuMemLimit = gpuMemLimit;
    }

    public String getPrefixCacheBytes() {
        return prefixCacheBytes;
    }

    public void setPrefixCacheBytes(String prefixCacheBytes) {
        this.prefixCacheBytes = prefixCacheBytes;
    }

    public int getPrefixBlockTokens() {
        return prefixBlockTokens;
    }

    public void setPrefixBlockTokens(int prefixBlockTokens) {
        this.prefixBlockTokens = prefixBlockTokens;
    }

    public int getPrefillChunkTokens() {
        return prefillChunkTokens;
    }

    public void setPrefillChunkTokens(int prefillChunkTokens) {
        this.prefillChunkTokens = prefillChunkTokens;
    }

    public int getTokenChoiceThreads() {
        return tokenChoiceThreads;
    }

    public void setTokenChoiceThreads(int tokenChoiceThreads) {
        this.tokenChoiceThreads = tokenChoiceThreads;
    }

    /**
     * Options of the engine this configuration opens from {@code modelPath}.
     *
     * @throws IllegalArgumentException naming the option when a value is invalid
     */
    public EngineOptions engineOptions() {
        return EngineOptions.builder()
                .executionProvider(executionProvider)
                .maxLength(maxLength)
                .maxBatchSize(maxBatchSize)
                .kvCacheBytes(
                        kvCacheBytes == null || kvCacheBytes.isBlank() ? 0 : EngineOptions.parseBytes(kvCacheBytes))
                .gpuMemoryUtilization(gpuMemoryUtilization)
                .hostMemoryUtilization(hostMemoryUtilization)
                .maxQueuedTokens(maxQueuedLength)
                .maxMediaBytes(
                        maxMediaBytes == null || maxMediaBytes.isBlank()
                                ? EngineOptions.defaults().maxMediaBytes()
                                : EngineOptions.parseBytes(maxMediaBytes))
                .maxImagesPerRequest(maxImagesPerRequest)
                .maxPixelsPerRequest(maxPixelsPerRequest)
                .strictExecutionProvider(strictExecutionProvider)
                .intraOpThreads(intraOpThreads)
                .kvCacheMode(kvCacheMode)
                .maxQueuedRequests(maxQueuedRequests)
                .maxTokensInFlight(maxInFlightLength)
                .maxImagePixels(maxImagePixels)
                .maxDocumentPages(maxDocumentPages)
                .documentDpi(documentDpi)
                .maxAudioDuration(Duration.ofMillis(maxAudioDuration))
                .maxPageOperations(maxPageOperations)
                .maxPageRenderTime(Duration.ofMillis(maxPageRenderTime))
                .prefixCacheBytes(
                        prefixCacheBytes == null || prefixCacheBytes.isBlank()
                                ? EngineOptions.DEFAULT_PREFIX_CACHE_BYTES
                                : EngineOptions.parseBytes(prefixCacheBytes))
                .prefixBlockTokens(prefixBlockTokens)
                .prefillChunkTokens(prefillChunkTokens)
                .tokenChoiceThreads(tokenChoiceThreads)
                .gpuMemLimit(gpuMemLimit == null || gpuMemLimit.isBlank() ? 0 : EngineOptions.parseBytes(gpuMemLimit))
                .build();
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

    /** The former name of {@link #getMaxOutputLength()}, kept for routes written with it (use the new name). */
    public Integer getMaxNewTokens() {
        return maxOutputLength;
    }

    /** Sets {@link #setMaxOutputLength(int)} under the former name, which Camel masks in logged URIs. */
    public void setMaxNewTokens(Integer maxNewTokens) {
        if (maxNewTokens != null) {
            this.maxOutputLength = maxNewTokens;
        }
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

    public long getTimeout() {
        return timeout;
    }

    public void setTimeout(long timeout) {
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

    /** A copy, so that endpoints created from the component's defaults do not share mutable state. */
    public Phi4Configuration copy() {
        try {
            return (Phi4Configuration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }
}

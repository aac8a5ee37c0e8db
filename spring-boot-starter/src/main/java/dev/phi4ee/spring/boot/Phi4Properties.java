package dev.phi4ee.spring.boot;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.KvCacheMode;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code phi4.*} properties: which model the shared {@link dev.phi4ee.core.api.Phi4Engine} opens and every {@link
 * EngineOptions} setting. Defaults are the engine's own (Phi4PropertiesTest compares them).
 */
@ConfigurationProperties("phi4")
public class Phi4Properties {

    /** Folder of the model in the official Phi-4-multimodal-instruct-onnx layout (e.g. its cpu-int4-rtn-block-32 folder). */
    private Path modelPath;

    /**
     * Execution provider: auto (CUDA when it loads, else the CPU), cpu, cuda or cuda:N. CUDA needs the GPU build of
     * the natives.
     */
    private String executionProvider = "auto";

    /** When a CUDA provider was asked for and cannot be used, fail at startup instead of falling back to the CPU. */
    private boolean strictExecutionProvider = false;

    /** ONNX Runtime intra-op threads; 0 = the runtime's default (one per core). */
    private int intraOpThreads = 0;

    /**
     * Context window in tokens; 0 = the largest window the KV cache memory budget gives max-batch-size requests, at
     * most the model config's max_length.
     */
    private int maxLength = 0;

    /** KV cache layout: auto (as the model's genai_config.json says), shared-buffer or growing. */
    private KvCacheMode kvCacheMode = KvCacheMode.AUTO;

    /** Most requests decoded together in one batched decoder call; the KV cache memory budget may allow fewer. */
    private int maxBatchSize = 8;

    /**
     * KV cache memory budget (e.g. 8GB, 512MB; binary units). Unset = derived from gpu-memory-utilization (CUDA) or
     * host-memory-utilization (CPU).
     */
    private DataSize kvCacheBytes;

    /**
     * Share of a CUDA device's memory the engine may fill (as vLLM's gpu_memory_utilization): the KV cache gets this
     * share of the device's memory minus what is in use once the model is loaded.
     */
    private double gpuMemoryUtilization = 0.9;

    /**
     * Share of the host's physical memory (the container's limit when lower) the process may fill when running on the
     * CPU: the KV cache gets this share minus the process's memory after loading and the Java heap it may grow to.
     */
    private double hostMemoryUtilization = 0.8;

    /** Requests that may wait for a free decoding slot; more are rejected at once (EngineOverloadedException). */
    private int maxQueuedRequests = 256;

    /** Bound on the sum of prompt plus max new tokens over the running requests, in tokens; 0 = no bound. */
    private long maxTokensInFlight = 0;

    /**
     * Bound on the sum of prompt plus max new tokens over the waiting requests, media tokens included, in tokens; a
     * request beyond it is rejected as overloaded (an empty queue takes any request); 0 = no bound.
     */
    private long maxQueuedTokens = 262144;

    /** Largest image in pixels (width x height, read from its header before decoding). */
    private long maxImagePixels = 100000000;

    /** Most pages of a PDF or multi-page TIFF. */
    private int maxDocumentPages = 20;

    /** Resolution at which PDF pages are rendered, in dots per inch (36 to 1200). */
    private int documentDpi = 200;

    /** Longest recording accepted (e.g. 90s, 30m); checked before decoding completes. */
    private Duration maxAudioDuration = Duration.ofMinutes(30);

    /** Most encoded bytes of all images, documents and recordings of one request, checked before any is decoded. */
    private DataSize maxMediaBytes = DataSize.ofMegabytes(100);

    /** Most images of one request, each document page counting as one, checked from the headers before decoding. */
    private int maxImagesPerRequest = 32;

    /** Most pixels of all images and pages of one request, checked from the headers before decoding. */
    private long maxPixelsPerRequest = 200000000;

    /** Most content-stream operations run to draw one PDF page, those of the forms it draws included. */
    private long maxPageOperations = 1000000;

    /** Longest time spent drawing one PDF page (e.g. 10s, 500ms); a document beyond it is rejected. */
    private Duration maxPageRenderTime = Duration.ofSeconds(10);

    /** CUDA arena limit (ONNX Runtime's gpu_mem_limit); unset = the weights + the KV plan + a working margin. */
    private DataSize gpuMemLimit;

    /** Memory for reusable prompt prefixes (same tokens, media and adapter), least recently used evicted; 0 = off. */
    private DataSize prefixCacheBytes = DataSize.ofBytes(EngineOptions.DEFAULT_PREFIX_CACHE_BYTES);

    /** Tokens per cached prefix block: the granularity of prefix reuse. */
    private int prefixBlockTokens = EngineOptions.DEFAULT_PREFIX_BLOCK_TOKENS;

    /** Prompt positions run per engine step between the decode steps of running requests; 0 = whole prompts. */
    private int prefillChunkTokens = EngineOptions.DEFAULT_PREFILL_CHUNK_TOKENS;

    /** Threads that choose a batched step's tokens (the engine thread and helpers); 1 = the engine thread alone. */
    private int tokenChoiceThreads = 1;

    private final DemoModel demoModel = new DemoModel();

    /** The engine options these properties describe; the engine's own validation names a wrong value. */
    public EngineOptions toEngineOptions() {
        EngineOptions.Builder b = EngineOptions.builder()
                .executionProvider(executionProvider)
                .strictExecutionProvider(strictExecutionProvider)
                .intraOpThreads(intraOpThreads)
                .maxLength(maxLength)
                .kvCacheMode(kvCacheMode)
                .maxBatchSize(maxBatchSize)
                .gpuMemoryUtilization(gpuMemoryUtilization)
                .hostMemoryUtilization(hostMemoryUtilization)
                .maxQueuedRequests(maxQueuedRequests)
                .maxTokensInFlight(maxTokensInFlight)
                .maxQueuedTokens(maxQueuedTokens)
                .maxImagePixels(maxImagePixels)
                .maxDocumentPages(maxDocumentPages)
                .documentDpi(documentDpi)
                .maxAudioDuration(maxAudioDuration)
                .maxImagesPerRequest(maxImagesPerRequest)
                .maxPixelsPerRequest(maxPixelsPerRequest)
                .maxPageOperations(maxPageOperations)
                .maxPageRenderTime(maxPageRenderTime)
                .prefixCacheBytes(prefixCacheBytes.toBytes())
                .prefixBlockTokens(prefixBlockTokens)
                .prefillChunkTokens(prefillChunkTokens)
                .tokenChoiceThreads(tokenChoiceThreads);
        if (gpuMemLimit != null) {
            b.gpuMemLimit(gpuMemLimit.toBytes());
        }
        if (kvCacheBytes != null) {
            b.kvCacheBytes(kvCacheBytes.toBytes());
        }
        if (maxMediaBytes != null) {
            b.maxMediaBytes(maxMediaBytes.toBytes());
        }
        return b.build();
    }

    /** The demo model: the test kit's Phi-4-shaped model with RANDOM weights, for trying the wiring without a model. */
    public static class DemoModel {

        /**
         * Open the demo model (RANDOM weights: every code path is real, the text is noise) when no model-path is set.
         * Needs the test kit on the class path (dev.phi4ee:phi4-core:test-jar and com.knuddels:jtokkit).
         */
        private boolean enabled = false;

        /** Where the demo model is written once; default $XDG_CACHE_HOME/phi4ee/demo-model or ~/.cache/phi4ee/demo-model. */
        private Path directory;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Path getDirectory() {
            return directory;
        }

        public void setDirectory(Path directory) {
            this.directory = directory;
        }
    }

    public DemoModel getDemoModel() {
        return demoModel;
    }

    public Path getModelPath() {
        return modelPath;
    }

    public void setModelPath(Path modelPath) {
        this.modelPath = modelPath;
    }

    public String getExecutionProvider() {
        return executionProvider;
    }

    public void setExecutionProvider(String executionProvider) {
        this.executionProvider = executionProvider;
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

    public int getMaxLength() {
        return maxLength;
    }

    public void setMaxLength(int maxLength) {
        this.maxLength = maxLength;
    }

    public KvCacheMode getKvCacheMode() {
        return kvCacheMode;
    }

    public void setKvCacheMode(KvCacheMode kvCacheMode) {
        this.kvCacheMode = kvCacheMode;
    }

    public int getMaxBatchSize() {
        return maxBatchSize;
    }

    public void setMaxBatchSize(int maxBatchSize) {
        this.maxBatchSize = maxBatchSize;
    }

    public DataSize getKvCacheBytes() {
        return kvCacheBytes;
    }

    public void setKvCacheBytes(DataSize kvCacheBytes) {
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

    public int getMaxQueuedRequests() {
        return maxQueuedRequests;
    }

    public void setMaxQueuedRequests(int maxQueuedRequests) {
        this.maxQueuedRequests = maxQueuedRequests;
    }

    public long getMaxTokensInFlight() {
        return maxTokensInFlight;
    }

    public void setMaxTokensInFlight(long maxTokensInFlight) {
        this.maxTokensInFlight = maxTokensInFlight;
    }

    public long getMaxQueuedTokens() {
        return maxQueuedTokens;
    }

    public void setMaxQueuedTokens(long maxQueuedTokens) {
        this.maxQueuedTokens = maxQueuedTokens;
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

    public Duration getMaxAudioDuration() {
        return maxAudioDuration;
    }

    public void setMaxAudioDuration(Duration maxAudioDuration) {
        this.maxAudioDuration = maxAudioDuration;
    }

    public DataSize getMaxMediaBytes() {
        return maxMediaBytes;
    }

    public void setMaxMediaBytes(DataSize maxMediaBytes) {
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

    public long getMaxPageOperations() {
        return maxPageOperations;
    }

    public void setMaxPageOperations(long maxPageOperations) {
        this.maxPageOperations = maxPageOperations;
    }

    public Duration getMaxPageRenderTime() {
        return maxPageRenderTime;
    }

    public void setMaxPageRenderTime(Duration maxPageRenderTime) {
        this.maxPageRenderTime = maxPageRenderTime;
    }

    public DataSize getPrefixCacheBytes() {
        return prefixCacheBytes;
    }

    public void setPrefixCacheBytes(DataSize prefixCacheBytes) {
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

    public DataSize getGpuMemLimit() {
        return gpuMemLimit;
    }

    public void setGpuMemLimit(DataSize gpuMemLimit) {
        this.gpuMemLimit = gpuMemLimit;
    }
}

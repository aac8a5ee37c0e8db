package dev.phi4ee.core.api;

import java.time.Duration;
import java.util.concurrent.ThreadFactory;

/**
 * How an engine opens and serves a model. Validated once, up front, with messages naming the setting.
 *
 * @param executionProvider {@code auto} (CUDA when it loads, else CPU), {@code cpu}, {@code cuda} or {@code cuda:N}
 * @param strictExecutionProvider when true a CUDA request that cannot be honoured fails instead of falling back
 * @param intraOpThreads ONNX Runtime intra-op threads; 0 = runtime default
 * @param maxLength context window; 0 = the largest window the KV memory budget gives {@code maxBatchSize} requests
 *     (fewer requests when that window would drop below 8192 tokens), at most {@code search.max_length} of the model
 *     config (docs/decisions/runtime-kv-memory-plan.md)
 * @param kvCacheMode KV cache layout
 * @param maxBatchSize most requests decoded together in one batched decoder call; the KV memory plan may allow fewer
 *     ({@link ModelInfo#kvCache()})
 * @param kvCacheBytes memory budget of the KV cache in bytes; 0 = derived from {@code gpuMemoryUtilization} or
 *     {@code hostMemoryUtilization}
 * @param gpuMemoryUtilization share of a CUDA device's memory the engine may fill (as vLLM's {@code
 *     gpu_memory_utilization}): the KV budget is this share of the device's total memory minus what is in use once
 *     the model is loaded
 * @param gpuMemLimit limit of the engine's CUDA arena in bytes (ONNX Runtime's {@code gpu_mem_limit}); 0 = derived:
 *     weights + KV cache + a working margin, capped at the device's free memory (docs/decisions/cuda-device-memory.md)
 * @param hostMemoryUtilization share of the host's physical memory (the container's limit when lower) the process
 *     may fill: the KV budget on the CPU is this share minus the process's resident memory after loading and the
 *     Java heap it may still grow to
 * @param maxQueuedRequests requests waiting beyond that are rejected with {@link EngineOverloadedException}
 * @param maxTokensInFlight bound on the sum of (prompt + maxNewTokens) of running requests; 0 = no bound
 * @param maxImagePixels decompression-bomb guard, checked from image headers before decoding
 * @param maxDocumentPages pages of a PDF or multi-page TIFF beyond this are rejected
 * @param documentDpi rendering resolution of PDF pages
 * @param maxAudioDuration longer recordings are rejected before decoding completes
 * @param maxQueuedTokens bound on the sum of (prompt + maxNewTokens) of the requests waiting in the queue, media
 *     tokens included (what they will occupy, and a proxy for the media tensors they hold while waiting); a request
 *     beyond it is rejected with {@link EngineOverloadedException}; an empty queue takes any request; 0 = no bound
 * @param maxMediaBytes bound on the encoded bytes of all images, documents and recordings of one request, checked
 *     before any of them is decoded
 * @param maxImagesPerRequest bound on the images of one request, each document page counting as one image, checked
 *     from the headers before decoding
 * @param maxPixelsPerRequest bound on the pixels of all images and pages of one request, checked from the headers
 *     before decoding
 * @param maxPageOperations bound on the content-stream operators run to draw one PDF page, those of the forms it
 *     draws included (a few kilobytes of forms drawing each other run billions); beyond it the document is rejected
 *     with {@link InvalidInputException}
 * @param maxPageRenderTime bound on the wall-clock time of drawing one PDF page, checked at every operator; beyond it
 *     the document is rejected with {@link InvalidInputException}
 * @param prefixCacheBytes memory for the keys and values of prompt prefixes kept for reuse by later requests that
 *     start with the same tokens, media and LoRA adapter (least recently used blocks are evicted), in the memory the
 *     KV cache lives in and in addition to its plan; taken block by block as prompts are stored; 0 = no prefix reuse
 *     (docs/decisions/prefix-cache.md)
 * @param prefixBlockTokens tokens per cached prefix block: the granularity of reuse, and the prefill chunk while
 *     prefix reuse is on
 * @param prefillChunkTokens prompt positions run per engine step, after the decode step of the running requests, so a
 *     long prompt admitted while others stream is spread over several steps instead of stalling them all (SGLang's
 *     {@code chunked_prefill_size}; vLLM bounds decode and prefill tokens together with {@code
 *     max_num_batched_tokens}). The prompt's decoder runs are never split (512 positions, or {@code
 *     prefixBlockTokens} while prefix reuse is on): a step runs at least one, then more while within the bound. 0 =
 *     each prompt whole at its admission (docs/decisions/chunked-prefill.md)
 * @param tokenChoiceThreads threads that choose the next tokens of a batched step's rows (the engine thread and
 *     {@code tokenChoiceThreads - 1} helpers from {@code threadFactory}); each row keeps its own sampler and seed, so
 *     the tokens are those of one thread. Greedy rows (too quick to gain), rows with a structured-output constraint
 *     and rows with a custom chooser are chosen on the engine thread. 1 = all on the engine thread (docs/decisions/parallel-token-choice.md)
 * @param threadFactory makes the engine's threads (its decode thread, its deadline timer, the threads that complete
 *     result futures): {@link #DAEMON_THREADS} in Java SE; inside an application server its {@code
 *     ManagedThreadFactory}, so they carry the server's context and are visible to it. Not a setting: an object the
 *     host passes in
 */
public record EngineOptions(
        String executionProvider,
        boolean strictExecutionProvider,
        int intraOpThreads,
        int maxLength,
        KvCacheMode kvCacheMode,
        int maxBatchSize,
        long kvCacheBytes,
        double gpuMemoryUtilization,
        long gpuMemLimit,
        double hostMemoryUtilization,
        int maxQueuedRequests,
        long maxTokensInFlight,
        long maxImagePixels,
        int maxDocumentPages,
        int documentDpi,
        Duration maxAudioDuration,
        long maxQueuedTokens,
        long maxMediaBytes,
        int maxImagesPerRequest,
        long maxPixelsPerRequest,
        long maxPageOperations,
        Duration maxPageRenderTime,
        long prefixCacheBytes,
        int prefixBlockTokens,
        int prefillChunkTokens,
        int tokenChoiceThreads,
        ThreadFactory threadFactory) {

    /** Default {@code threadFactory}: plain daemon threads (the engine names them). */
    public static final ThreadFactory DAEMON_THREADS =
            Thread.ofPlatform().daemon(true).factory();

    /** Default {@code gpuMemoryUtilization}: vLLM's default; the rest is the model's working memory. */
    public static final double DEFAULT_GPU_MEMORY_UTILIZATION = 0.9;

    /** Default {@code hostMemoryUtilization}: leaves a fifth of the host to the system and its page cache. */
    public static final double DEFAULT_HOST_MEMORY_UTILIZATION = 0.8;

    /** Default {@code prefixCacheBytes}: 4096 tokens of the release in fp16, within a GPU's working-memory share. */
    public static final long DEFAULT_PREFIX_CACHE_BYTES = 512L << 20;

    /** Default {@code prefixBlockTokens}. */
    public static final int DEFAULT_PREFIX_BLOCK_TOKENS = 64;

    /** Default {@code prefillChunkTokens}: one 512-position decoder run, or eight prefix blocks, per step. */
    public static final int DEFAULT_PREFILL_CHUNK_TOKENS = 512;

    /** Upper bound of {@code tokenChoiceThreads}: more threads than rows in a batch would only wait. */
    public static final int MAX_TOKEN_CHOICE_THREADS = 256;

    public EngineOptions {
        if (executionProvider == null || !executionProvider.matches("auto|cpu|cuda(:\\d+)?")) {
            throw new IllegalArgumentException(
                    "executionProvider must be auto, cpu, cuda or cuda:N, was " + executionProvider);
        }
        check(intraOpThreads >= 0, "intraOpThreads must be >= 0, was " + intraOpThreads);
        check(maxLength >= 0, "maxLength must be >= 0, was " + maxLength);
        check(kvCacheMode != null, "kvCacheMode must be set");
        check(maxBatchSize >= 1, "maxBatchSize must be >= 1, was " + maxBatchSize);
        check(kvCacheBytes >= 0, "kvCacheBytes must be >= 0, was " + kvCacheBytes);
        check(
                gpuMemoryUtilization > 0 && gpuMemoryUtilization <= 1,
                "gpuMemoryUtilization must be in (0, 1], was " + gpuMemoryUtilization);
        check(gpuMemLimit >= 0, "gpuMemLimit must be >= 0, was " + gpuMemLimit);
        check(
                hostMemoryUtilization > 0 && hostMemoryUtilization <= 1,
                "hostMemoryUtilization must be in (0, 1], was " + hostMemoryUtilization);
        check(maxQueuedRequests >= 1, "maxQueuedRequests must be >= 1, was " + maxQueuedRequests);
        check(maxTokensInFlight >= 0, "maxTokensInFlight must be >= 0, was " + maxTokensInFlight);
        check(maxImagePixels >= 1, "maxImagePixels must be >= 1, was " + maxImagePixels);
        check(maxDocumentPages >= 1, "maxDocumentPages must be >= 1, was " + maxDocumentPages);
        check(documentDpi >= 36 && documentDpi <= 1200, "documentDpi must be in [36, 1200], was " + documentDpi);
        check(
                maxAudioDuration != null && !maxAudioDuration.isNegative() && !maxAudioDuration.isZero(),
                "maxAudioDuration must be positive, was " + maxAudioDuration);
        check(maxQueuedTokens >= 0, "maxQueuedTokens must be >= 0, was " + maxQueuedTokens);
        check(maxMediaBytes >= 1, "maxMediaBytes must be >= 1, was " + maxMediaBytes);
        check(maxImagesPerRequest >= 1, "maxImagesPerRequest must be >= 1, was " + maxImagesPerRequest);
        check(maxPixelsPerRequest >= 1, "maxPixelsPerRequest must be >= 1, was " + maxPixelsPerRequest);
        check(maxPageOperations >= 1, "maxPageOperations must be >= 1, was " + maxPageOperations);
        check(
                maxPageRenderTime != null && !maxPageRenderTime.isNegative() && !maxPageRenderTime.isZero(),
                "maxPageRenderTime must be positive, was " + maxPageRenderTime);
        check(prefixCacheBytes >= 0, "prefixCacheBytes must be >= 0, was " + prefixCacheBytes);
        check(
                prefixBlockTokens >= 1 && prefixBlockTokens <= 4096,
                "prefixBlockTokens must be in [1, 4096], was " + prefixBlockTokens);
        check(prefillChunkTokens >= 0, "prefillChunkTokens must be >= 0, was " + prefillChunkTokens);
        check(
                tokenChoiceThreads >= 1 && tokenChoiceThreads <= MAX_TOKEN_CHOICE_THREADS,
                "tokenChoiceThreads must be in [1, " + MAX_TOKEN_CHOICE_THREADS + "], was " + tokenChoiceThreads);
        check(threadFactory != null, "threadFactory must be set");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** CUDA device ordinal requested, or -1 for CPU only. */
    public int cudaDevice() {
        if (executionProvider.equals("cpu")) {
            return -1;
        }
        int colon = executionProvider.indexOf(':');
        return colon < 0 ? 0 : Integer.parseInt(executionProvider.substring(colon + 1));
    }

    /**
     * A byte count as written in settings: digits with an optional binary unit, as {@code -Xmx} takes them ({@code
     * 17179869184}, {@code 16g}, {@code 16GiB}, {@code 512m}, {@code 512MB}: k, m, g, t are powers of 1024).
     *
     * @throws IllegalArgumentException naming the text when it is not such a count
     */
    public static long parseBytes(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)\\s*(\\d+)\\s*(?:([kmgt])(?:i?b)?|b)?\\s*")
                .matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "expected a byte count such as 17179869184, 16g or 512MiB, was '" + text + "'");
        }
        int shift = m.group(2) == null
                ? 0
                : 10 * ("kmgt".indexOf(Character.toLowerCase(m.group(2).charAt(0))) + 1);
        try {
            long n = Long.parseLong(m.group(1));
            if (n > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("byte count out of range: '" + text + "'", e);
        }
    }

    public static EngineOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .executionProvider(executionProvider)
                .strictExecutionProvider(strictExecutionProvider)
                .intraOpThreads(intraOpThreads)
                .maxLength(maxLength)
                .kvCacheMode(kvCacheMode)
                .maxBatchSize(maxBatchSize)
                .kvCacheBytes(kvCacheBytes)
                .gpuMemoryUtilization(gpuMemoryUtilization)
                .gpuMemLimit(gpuMemLimit)
                .hostMemoryUtilization(hostMemoryUtilization)
                .maxQueuedRequests(maxQueuedRequests)
                .maxTokensInFlight(maxTokensInFlight)
                .maxImagePixels(maxImagePixels)
                .maxDocumentPages(maxDocumentPages)
                .documentDpi(documentDpi)
                .maxAudioDuration(maxAudioDuration)
                .maxQueuedTokens(maxQueuedTokens)
                .maxMediaBytes(maxMediaBytes)
                .maxImagesPerRequest(maxImagesPerRequest)
                .maxPixelsPerRequest(maxPixelsPerRequest)
                .maxPageOperations(maxPageOperations)
                .maxPageRenderTime(maxPageRenderTime)
                .prefixCacheBytes(prefixCacheBytes)
                .prefixBlockTokens(prefixBlockTokens)
                .prefillChunkTokens(prefillChunkTokens)
                .tokenChoiceThreads(tokenChoiceThreads)
                .threadFactory(threadFactory);
    }

    public static final class Builder {
        private String executionProvider = "auto";
        private boolean strictExecutionProvider;
        private int intraOpThreads;
        private int maxLength;
        private KvCacheMode kvCacheMode = KvCacheMode.AUTO;
        private int maxBatchSize = 8;
        private long kvCacheBytes;
        private double gpuMemoryUtilization = DEFAULT_GPU_MEMORY_UTILIZATION;
        private long gpuMemLimit;
        private double hostMemoryUtilization = DEFAULT_HOST_MEMORY_UTILIZATION;
        private int maxQueuedRequests = 256;
        private long maxTokensInFlight;
        private long maxImagePixels = 100_000_000L;
        private int maxDocumentPages = 20;
        private int documentDpi = 200;
        private Duration maxAudioDuration = Duration.ofMinutes(30);
        private long maxQueuedTokens = 262_144;
        private long maxMediaBytes = 100L << 20;
        private int maxImagesPerRequest = 32;
        private long maxPixelsPerRequest = 200_000_000L;
        private long maxPageOperations = 1_000_000L;
        private Duration maxPageRenderTime = Duration.ofSeconds(10);
        private long prefixCacheBytes = DEFAULT_PREFIX_CACHE_BYTES;
        private int prefixBlockTokens = DEFAULT_PREFIX_BLOCK_TOKENS;
        private int prefillChunkTokens = DEFAULT_PREFILL_CHUNK_TOKENS;
        private int tokenChoiceThreads = 1;
        private ThreadFactory threadFactory = DAEMON_THREADS;

        private Builder() {}

        public Builder executionProvider(String v) {
            executionProvider = v;
            return this;
        }

        public Builder strictExecutionProvider(boolean v) {
            strictExecutionProvider = v;
            return this;
        }

        public Builder intraOpThreads(int v) {
            intraOpThreads = v;
            return this;
        }

        public Builder maxLength(int v) {
            maxLength = v;
            return this;
        }

        public Builder kvCacheMode(KvCacheMode v) {
            kvCacheMode = v;
            return this;
        }

        public Builder maxBatchSize(int v) {
            maxBatchSize = v;
            return this;
        }

        public Builder kvCacheBytes(long v) {
            kvCacheBytes = v;
            return this;
        }

        public Builder gpuMemoryUtilization(double v) {
            gpuMemoryUtilization = v;
            return this;
        }

        public Builder gpuMemLimit(long v) {
            gpuMemLimit = v;
            return this;
        }

        public Builder hostMemoryUtilization(double v) {
            hostMemoryUtilization = v;
            return this;
        }

        public Builder maxQueuedRequests(int v) {
            maxQueuedRequests = v;
            return this;
        }

        public Builder maxTokensInFlight(long v) {
            maxTokensInFlight = v;
            return this;
        }

        public Builder maxImagePixels(long v) {
            maxImagePixels = v;
            return this;
        }

        public Builder maxDocumentPages(int v) {
            maxDocumentPages = v;
            return this;
        }

        public Builder documentDpi(int v) {
            documentDpi = v;
            return this;
        }

        public Builder maxAudioDuration(Duration v) {
            maxAudioDuration = v;
            return this;
        }

        public Builder maxQueuedTokens(long v) {
            maxQueuedTokens = v;
            return this;
        }

        public Builder maxMediaBytes(long v) {
            maxMediaBytes = v;
            return this;
        }

        public Builder maxImagesPerRequest(int v) {
            maxImagesPerRequest = v;
            return this;
        }

        public Builder maxPixelsPerRequest(long v) {
            maxPixelsPerRequest = v;
            return this;
        }

        public Builder maxPageOperations(long v) {
            maxPageOperations = v;
            return this;
        }

        public Builder maxPageRenderTime(Duration v) {
            maxPageRenderTime = v;
            return this;
        }

        public Builder prefixCacheBytes(long v) {
            prefixCacheBytes = v;
            return this;
        }

        public Builder prefixBlockTokens(int v) {
            prefixBlockTokens = v;
            return this;
        }

        public Builder prefillChunkTokens(int v) {
            prefillChunkTokens = v;
            return this;
        }

        public Builder tokenChoiceThreads(int v) {
            tokenChoiceThreads = v;
            return this;
        }

        public Builder threadFactory(ThreadFactory v) {
            threadFactory = v;
            return this;
        }

        public EngineOptions build() {
            return new EngineOptions(
                    executionProvider,
                    strictExecutionProvider,
                    intraOpThreads,
                    maxLength,
                    kvCacheMode,
                    maxBatchSize,
                    kvCacheBytes,
                    gpuMemoryUtilization,
                    gpuMemLimit,
                    hostMemoryUtilization,
                    maxQueuedRequests,
                    maxTokensInFlight,
                    maxImagePixels,
                    maxDocumentPages,
                    documentDpi,
                    maxAudioDuration,
                    maxQueuedTokens,
                    maxMediaBytes,
                    maxImagesPerRequest,
                    maxPixelsPerRequest,
                    maxPageOperations,
                    maxPageRenderTime,
                    prefixCacheBytes,
                    prefixBlockTokens,
                    prefillChunkTokens,
                    tokenChoiceThreads,
                    threadFactory);
        }
    }
}

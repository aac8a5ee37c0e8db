package dev.phi4ee.core.api;

import java.time.Duration;

/**
 * How an engine opens and serves a model. Validated once, up front, with messages naming the setting.
 *
 * @param executionProvider {@code auto} (CUDA when it loads, else CPU), {@code cpu}, {@code cuda} or {@code cuda:N}
 * @param strictExecutionProvider when true a CUDA request that cannot be honoured fails instead of falling back
 * @param intraOpThreads ONNX Runtime intra-op threads; 0 = runtime default
 * @param maxLength context window override; 0 = {@code search.max_length} of the model config
 * @param kvCacheMode KV cache layout
 * @param maxBatchSize most requests decoded together in one batched decoder call
 * @param maxQueuedRequests requests waiting beyond that are rejected with {@link EngineOverloadedException}
 * @param maxTokensInFlight bound on the sum of (prompt + maxNewTokens) of running requests; 0 = no bound
 * @param maxImagePixels decompression-bomb guard, checked from image headers before decoding
 * @param maxDocumentPages pages of a PDF or multi-page TIFF beyond this are rejected
 * @param documentDpi rendering resolution of PDF pages
 * @param maxAudioDuration longer recordings are rejected before decoding completes
 */
public record EngineOptions(
        String executionProvider,
        boolean strictExecutionProvider,
        int intraOpThreads,
        int maxLength,
        KvCacheMode kvCacheMode,
        int maxBatchSize,
        int maxQueuedRequests,
        long maxTokensInFlight,
        long maxImagePixels,
        int maxDocumentPages,
        int documentDpi,
        Duration maxAudioDuration) {

    public EngineOptions {
        if (executionProvider == null || !executionProvider.matches("auto|cpu|cuda(:\\d+)?")) {
            throw new IllegalArgumentException(
                    "executionProvider must be auto, cpu, cuda or cuda:N, was " + executionProvider);
        }
        check(intraOpThreads >= 0, "intraOpThreads must be >= 0, was " + intraOpThreads);
        check(maxLength >= 0, "maxLength must be >= 0, was " + maxLength);
        check(kvCacheMode != null, "kvCacheMode must be set");
        check(maxBatchSize >= 1, "maxBatchSize must be >= 1, was " + maxBatchSize);
        check(maxQueuedRequests >= 1, "maxQueuedRequests must be >= 1, was " + maxQueuedRequests);
        check(maxTokensInFlight >= 0, "maxTokensInFlight must be >= 0, was " + maxTokensInFlight);
        check(maxImagePixels >= 1, "maxImagePixels must be >= 1, was " + maxImagePixels);
        check(maxDocumentPages >= 1, "maxDocumentPages must be >= 1, was " + maxDocumentPages);
        check(documentDpi >= 36 && documentDpi <= 1200, "documentDpi must be in [36, 1200], was " + documentDpi);
        check(
                maxAudioDuration != null && !maxAudioDuration.isNegative() && !maxAudioDuration.isZero(),
                "maxAudioDuration must be positive, was " + maxAudioDuration);
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
                .maxQueuedRequests(maxQueuedRequests)
                .maxTokensInFlight(maxTokensInFlight)
                .maxImagePixels(maxImagePixels)
                .maxDocumentPages(maxDocumentPages)
                .documentDpi(documentDpi)
                .maxAudioDuration(maxAudioDuration);
    }

    public static final class Builder {
        private String executionProvider = "auto";
        private boolean strictExecutionProvider;
        private int intraOpThreads;
        private int maxLength;
        private KvCacheMode kvCacheMode = KvCacheMode.AUTO;
        private int maxBatchSize = 8;
        private int maxQueuedRequests = 256;
        private long maxTokensInFlight;
        private long maxImagePixels = 100_000_000L;
        private int maxDocumentPages = 20;
        private int documentDpi = 200;
        private Duration maxAudioDuration = Duration.ofMinutes(30);

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

        public EngineOptions build() {
            return new EngineOptions(
                    executionProvider,
                    strictExecutionProvider,
                    intraOpThreads,
                    maxLength,
                    kvCacheMode,
                    maxBatchSize,
                    maxQueuedRequests,
                    maxTokensInFlight,
                    maxImagePixels,
                    maxDocumentPages,
                    documentDpi,
                    maxAudioDuration);
        }
    }
}

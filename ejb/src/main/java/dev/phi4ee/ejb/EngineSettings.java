package dev.phi4ee.ejb;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.KvCacheMode;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Engine configuration by standard means, first match wins: a JNDI env-entry ({@code java:app/env/phi4.modelPath},
 * then {@code java:module/env/…}, {@code java:comp/env/…}), a system property ({@code -Dphi4.modelPath=…}), an
 * environment variable ({@code PHI4_MODEL_PATH}).
 *
 * <p>Every {@link EngineOptions} component {@code x} is the setting {@code phi4.x} (EngineSettingsTest checks that
 * none is missing), except {@code threadFactory}, which the server provides. The {@code phi4.jms.*} settings belong
 * to the request listener.
 */
public final class EngineSettings {

    public static final String MODEL_PATH = "phi4.modelPath";
    public static final String EXECUTION_PROVIDER = "phi4.executionProvider";
    public static final String INTRA_OP_THREADS = "phi4.intraOpThreads";
    public static final String MAX_BATCH_SIZE = "phi4.maxBatchSize";
    public static final String MAX_QUEUED_REQUESTS = "phi4.maxQueuedRequests";
    public static final String MAX_LENGTH = "phi4.maxLength";
    /** KV cache budget: bytes or a binary unit ({@code 16g}); unset = from the memory utilization settings. */
    public static final String KV_CACHE_BYTES = "phi4.kvCacheBytes";

    public static final String GPU_MEMORY_UTILIZATION = "phi4.gpuMemoryUtilization";
    public static final String HOST_MEMORY_UTILIZATION = "phi4.hostMemoryUtilization";
    /** CUDA arena limit: bytes or a binary unit ({@code 20g}); unset = from the weights and the KV plan. */
    public static final String GPU_MEM_LIMIT = "phi4.gpuMemLimit";
    /** Waiting-queue bound in tokens (Σ prompt + maxNewTokens); 0 = none. */
    public static final String MAX_QUEUED_TOKENS = "phi4.maxQueuedTokens";
    /** Encoded media of one request: bytes or a binary unit ({@code 100m}). */
    public static final String MAX_MEDIA_BYTES = "phi4.maxMediaBytes";

    public static final String MAX_IMAGES_PER_REQUEST = "phi4.maxImagesPerRequest";
    public static final String MAX_PIXELS_PER_REQUEST = "phi4.maxPixelsPerRequest";
    /** {@code true}: a CUDA request that cannot be honoured fails instead of falling back to the CPU. */
    public static final String STRICT_EXECUTION_PROVIDER = "phi4.strictExecutionProvider";
    /** {@code auto}, {@code shared_buffer} or {@code growing}. */
    public static final String KV_CACHE_MODE = "phi4.kvCacheMode";

    public static final String MAX_TOKENS_IN_FLIGHT = "phi4.maxTokensInFlight";
    public static final String MAX_IMAGE_PIXELS = "phi4.maxImagePixels";
    public static final String MAX_DOCUMENT_PAGES = "phi4.maxDocumentPages";
    public static final String DOCUMENT_DPI = "phi4.documentDpi";
    /** A duration: {@code 90s}, {@code 30m}, {@code 1h}, {@code 500ms} or ISO-8601 ({@code PT30M}). */
    public static final String MAX_AUDIO_DURATION = "phi4.maxAudioDuration";
    /** Content-stream operators drawn for one PDF page (forms included) before the document is refused. */
    public static final String MAX_PAGE_OPERATIONS = "phi4.maxPageOperations";
    /** Time to draw one PDF page before the document is refused (a duration, as {@link #MAX_AUDIO_DURATION}). */
    public static final String MAX_PAGE_RENDER_TIME = "phi4.maxPageRenderTime";
    /** Memory for reusable prompt prefixes: bytes or a binary unit ({@code 512m}); 0 = no prefix reuse. */
    public static final String PREFIX_CACHE_BYTES = "phi4.prefixCacheBytes";
    /** Tokens per cached prefix block. */
    public static final String PREFIX_BLOCK_TOKENS = "phi4.prefixBlockTokens";
    /** Prompt positions run per engine step between the decode steps of running requests; 0 = whole prompts. */
    public static final String PREFILL_CHUNK_TOKENS = "phi4.prefillChunkTokens";
    /** Threads that choose a batched step's tokens (the engine thread and helpers); 1 = the engine thread alone. */
    public static final String TOKEN_CHOICE_THREADS = "phi4.tokenChoiceThreads";

    /**
     * Largest request message the listener reads, in bytes or a binary unit; checked before the body is read. Unset =
     * what a request of {@code phi4.maxMediaBytes} media takes in base64 JSON, plus 1 MiB for prompts.
     */
    public static final String JMS_MAX_MESSAGE_BYTES = "phi4.jms.maxMessageBytes";
    /** Results kept for redeliveries (answered from the cache, not generated again); 0 = none. */
    public static final String JMS_RESULT_CACHE_SIZE = "phi4.jms.resultCacheSize";
    /** How long a result is kept for redeliveries (a duration, as {@link #MAX_AUDIO_DURATION}). */
    public static final String JMS_RESULT_CACHE_TTL = "phi4.jms.resultCacheTtl";

    static final int DEFAULT_RESULT_CACHE_SIZE = 1024;
    static final Duration DEFAULT_RESULT_CACHE_TTL = Duration.ofMinutes(30);

    /** The EngineOptions components that are no setting: objects the host passes in. */
    static final Set<String> NOT_SETTINGS = Set.of("threadFactory");

    /** Setting name → how it sets the builder; every EngineOptions component but {@link #NOT_SETTINGS}. */
    static final Map<String, BiConsumer<EngineOptions.Builder, String>> ENGINE_OPTIONS = engineOptionSettings();

    private static final String[] JNDI_PREFIXES = {"java:app/env/", "java:module/env/", "java:comp/env/"};
    private static final Pattern DURATION = Pattern.compile("(?i)\\s*(\\d+)\\s*(ms|s|m|h|d)\\s*");

    private final Function<String, Optional<String>> source;

    private EngineSettings(Function<String, Optional<String>> source) {
        this.source = source;
    }

    /** Reads JNDI env-entries, system properties and environment variables. */
    public static EngineSettings fromEnvironment() {
        return new EngineSettings(EngineSettings::lookup);
    }

    /** For tests: settings from a function. */
    static EngineSettings of(Function<String, Optional<String>> source) {
        return new EngineSettings(source);
    }

    public Optional<String> get(String name) {
        return source.apply(name).map(String::trim).filter(v -> !v.isEmpty());
    }

    public String modelPath() {
        return get(MODEL_PATH)
                .orElseThrow(() -> new IllegalStateException("phi4: no model directory configured: set the env-entry "
                        + MODEL_PATH + " (application.xml), the system property -D" + MODEL_PATH
                        + " or the environment variable " + envName(MODEL_PATH)));
    }

    public EngineOptions engineOptions() {
        EngineOptions.Builder b = EngineOptions.builder();
        ENGINE_OPTIONS.forEach((name, setter) -> get(name).ifPresent(v -> setter.accept(b, v)));
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("phi4: " + e.getMessage(), e);
        }
    }

    /** {@link #JMS_MAX_MESSAGE_BYTES}. */
    public long maxMessageBytes() {
        return get(JMS_MAX_MESSAGE_BYTES)
                .map(v -> positive(JMS_MAX_MESSAGE_BYTES, bytes(JMS_MAX_MESSAGE_BYTES, v)))
                .orElseGet(() -> {
                    long media = engineOptions().maxMediaBytes();
                    long base64 = media > Long.MAX_VALUE / 4 * 3 ? Long.MAX_VALUE / 2 : (media + 2) / 3 * 4;
                    return base64 + (1L << 20);
                });
    }

    /** {@link #JMS_RESULT_CACHE_SIZE}. */
    public int resultCacheSize() {
        return get(JMS_RESULT_CACHE_SIZE)
                .map(v -> (int) atLeastZero(JMS_RESULT_CACHE_SIZE, integer(JMS_RESULT_CACHE_SIZE, v)))
                .orElse(DEFAULT_RESULT_CACHE_SIZE);
    }

    /** {@link #JMS_RESULT_CACHE_TTL}. */
    public Duration resultCacheTtl() {
        return get(JMS_RESULT_CACHE_TTL)
                .map(v -> duration(JMS_RESULT_CACHE_TTL, v))
                .orElse(DEFAULT_RESULT_CACHE_TTL);
    }

    private static Map<String, BiConsumer<EngineOptions.Builder, String>> engineOptionSettings() {
        Map<String, BiConsumer<EngineOptions.Builder, String>> m = new LinkedHashMap<>();
        m.put(EXECUTION_PROVIDER, EngineOptions.Builder::executionProvider);
        m.put(STRICT_EXECUTION_PROVIDER, (b, v) -> b.strictExecutionProvider(bool(STRICT_EXECUTION_PROVIDER, v)));
        m.put(INTRA_OP_THREADS, (b, v) -> b.intraOpThreads(integer(INTRA_OP_THREADS, v)));
        m.put(MAX_LENGTH, (b, v) -> b.maxLength(integer(MAX_LENGTH, v)));
        m.put(KV_CACHE_MODE, (b, v) -> b.kvCacheMode(kvCacheMode(v)));
        m.put(MAX_BATCH_SIZE, (b, v) -> b.maxBatchSize(integer(MAX_BATCH_SIZE, v)));
        m.put(KV_CACHE_BYTES, (b, v) -> b.kvCacheBytes(bytes(KV_CACHE_BYTES, v)));
        m.put(GPU_MEMORY_UTILIZATION, (b, v) -> b.gpuMemoryUtilization(share(GPU_MEMORY_UTILIZATION, v)));
        m.put(GPU_MEM_LIMIT, (b, v) -> b.gpuMemLimit(bytes(GPU_MEM_LIMIT, v)));
        m.put(HOST_MEMORY_UTILIZATION, (b, v) -> b.hostMemoryUtilization(share(HOST_MEMORY_UTILIZATION, v)));
        m.put(MAX_QUEUED_REQUESTS, (b, v) -> b.maxQueuedRequests(integer(MAX_QUEUED_REQUESTS, v)));
        m.put(MAX_TOKENS_IN_FLIGHT, (b, v) -> b.maxTokensInFlight(longValue(MAX_TOKENS_IN_FLIGHT, v)));
        m.put(MAX_IMAGE_PIXELS, (b, v) -> b.maxImagePixels(longValue(MAX_IMAGE_PIXELS, v)));
        m.put(MAX_DOCUMENT_PAGES, (b, v) -> b.maxDocumentPages(integer(MAX_DOCUMENT_PAGES, v)));
        m.put(DOCUMENT_DPI, (b, v) -> b.documentDpi(integer(DOCUMENT_DPI, v)));
        m.put(MAX_AUDIO_DURATION, (b, v) -> b.maxAudioDuration(duration(MAX_AUDIO_DURATION, v)));
        m.put(MAX_QUEUED_TOKENS, (b, v) -> b.maxQueuedTokens(longValue(MAX_QUEUED_TOKENS, v)));
        m.put(MAX_MEDIA_BYTES, (b, v) -> b.maxMediaBytes(bytes(MAX_MEDIA_BYTES, v)));
        m.put(MAX_IMAGES_PER_REQUEST, (b, v) -> b.maxImagesPerRequest(integer(MAX_IMAGES_PER_REQUEST, v)));
        m.put(MAX_PIXELS_PER_REQUEST, (b, v) -> b.maxPixelsPerRequest(longValue(MAX_PIXELS_PER_REQUEST, v)));
        m.put(MAX_PAGE_OPERATIONS, (b, v) -> b.maxPageOperations(longValue(MAX_PAGE_OPERATIONS, v)));
        m.put(MAX_PAGE_RENDER_TIME, (b, v) -> b.maxPageRenderTime(duration(MAX_PAGE_RENDER_TIME, v)));
        m.put(PREFIX_CACHE_BYTES, (b, v) -> b.prefixCacheBytes(bytes(PREFIX_CACHE_BYTES, v)));
        m.put(PREFIX_BLOCK_TOKENS, (b, v) -> b.prefixBlockTokens(integer(PREFIX_BLOCK_TOKENS, v)));
        m.put(PREFILL_CHUNK_TOKENS, (b, v) -> b.prefillChunkTokens(integer(PREFILL_CHUNK_TOKENS, v)));
        m.put(TOKEN_CHOICE_THREADS, (b, v) -> b.tokenChoiceThreads(integer(TOKEN_CHOICE_THREADS, v)));
        return Collections.unmodifiableMap(m);
    }

    private static KvCacheMode kvCacheMode(String value) {
        try {
            return KvCacheMode.valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "phi4: " + KV_CACHE_MODE + " must be auto, shared_buffer or growing, was '" + value + "'", e);
        }
    }

    private static boolean bool(String name, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default ->
                throw new IllegalArgumentException("phi4: " + name + " must be true or false, was '" + value + "'");
        };
    }

    /** {@code 90s}, {@code 30m}, {@code 2h}, {@code 1d}, {@code 500ms}, or ISO-8601 ({@code PT30M}). */
    static Duration duration(String name, String value) {
        Matcher m = DURATION.matcher(value);
        Duration d;
        if (m.matches()) {
            long n = longValue(name, m.group(1));
            d = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                d = Duration.parse(value);
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException(
                        "phi4: " + name + " must be a duration such as 90s, 30m, 2h or PT30M, was '" + value + "'", e);
            }
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException("phi4: " + name + " must not be negative, was '" + value + "'");
        }
        return d;
    }

    private static long positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException("phi4: " + name + " must be >= 1, was " + value);
        }
        return value;
    }

    private static long atLeastZero(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("phi4: " + name + " must be >= 0, was " + value);
        }
        return value;
    }

    private static long bytes(String name, String value) {
        try {
            return EngineOptions.parseBytes(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("phi4: " + name + ": " + e.getMessage(), e);
        }
    }

    private static double share(String name, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("phi4: " + name + " must be a number in (0, 1], was '" + value + "'", e);
        }
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("phi4: " + name + " must be an integer, was '" + value + "'", e);
        }
    }

    private static long longValue(String name, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("phi4: " + name + " must be an integer, was '" + value + "'", e);
        }
    }

    static String envName(String name) {
        return name.replaceAll("([a-z])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    private static Optional<String> lookup(String name) {
        for (String prefix : JNDI_PREFIXES) {
            Optional<String> value = jndi(prefix + name);
            if (value.isPresent()) {
                return value;
            }
        }
        return Optional.ofNullable(System.getProperty(name))
                .or(() -> Optional.ofNullable(System.getenv(envName(name))));
    }

    private static Optional<String> jndi(String name) {
        try {
            Object value = new InitialContext().lookup(name);
            return Optional.ofNullable(value).map(Object::toString);
        } catch (NamingException | RuntimeException e) {
            return Optional.empty(); // not declared, or no naming service (plain Java SE)
        }
    }
}

package dev.phi4ee.ejb;

import dev.phi4ee.core.api.EngineOptions;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Engine configuration by standard means, first match wins: a JNDI env-entry ({@code java:app/env/phi4.modelPath},
 * then {@code java:module/env/…}, {@code java:comp/env/…}), a system property ({@code -Dphi4.modelPath=…}), an
 * environment variable ({@code PHI4_MODEL_PATH}).
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
    /** Waiting-queue bound in tokens (Σ prompt + maxNewTokens); 0 = none. */
    public static final String MAX_QUEUED_TOKENS = "phi4.maxQueuedTokens";
    /** Encoded media of one request: bytes or a binary unit ({@code 100m}). */
    public static final String MAX_MEDIA_BYTES = "phi4.maxMediaBytes";

    public static final String MAX_IMAGES_PER_REQUEST = "phi4.maxImagesPerRequest";
    public static final String MAX_PIXELS_PER_REQUEST = "phi4.maxPixelsPerRequest";

    private static final String[] JNDI_PREFIXES = {"java:app/env/", "java:module/env/", "java:comp/env/"};

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
        get(EXECUTION_PROVIDER).ifPresent(b::executionProvider);
        get(INTRA_OP_THREADS).map(v -> integer(INTRA_OP_THREADS, v)).ifPresent(b::intraOpThreads);
        get(MAX_BATCH_SIZE).map(v -> integer(MAX_BATCH_SIZE, v)).ifPresent(b::maxBatchSize);
        get(MAX_QUEUED_REQUESTS).map(v -> integer(MAX_QUEUED_REQUESTS, v)).ifPresent(b::maxQueuedRequests);
        get(MAX_LENGTH).map(v -> integer(MAX_LENGTH, v)).ifPresent(b::maxLength);
        get(KV_CACHE_BYTES).map(v -> bytes(KV_CACHE_BYTES, v)).ifPresent(b::kvCacheBytes);
        get(GPU_MEMORY_UTILIZATION).map(v -> share(GPU_MEMORY_UTILIZATION, v)).ifPresent(b::gpuMemoryUtilization);
        get(HOST_MEMORY_UTILIZATION).map(v -> share(HOST_MEMORY_UTILIZATION, v)).ifPresent(b::hostMemoryUtilization);
        get(MAX_QUEUED_TOKENS).map(v -> longValue(MAX_QUEUED_TOKENS, v)).ifPresent(b::maxQueuedTokens);
        get(MAX_MEDIA_BYTES).map(v -> bytes(MAX_MEDIA_BYTES, v)).ifPresent(b::maxMediaBytes);
        get(MAX_IMAGES_PER_REQUEST).map(v -> integer(MAX_IMAGES_PER_REQUEST, v)).ifPresent(b::maxImagesPerRequest);
        get(MAX_PIXELS_PER_REQUEST)
                .map(v -> longValue(MAX_PIXELS_PER_REQUEST, v))
                .ifPresent(b::maxPixelsPerRequest);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("phi4: " + e.getMessage(), e);
        }
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

package dev.phi4ee.cdi;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.KvCacheMode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The engine's settings, {@code phi4.modelPath} and {@code phi4.x} for every {@link EngineOptions} setting {@code x}
 * (the names phi4-ejb uses), read from MicroProfile Config when the runtime has it (Quarkus, Helidon, OpenLiberty:
 * {@code application.properties}, {@code microprofile-config.properties}, system properties, ...), then from system
 * properties, then from environment variables ({@code PHI4_MODEL_PATH}). docs/decisions/integration-cdi-producer.md
 */
public final class Phi4Settings {

    public static final String MODEL_PATH = "phi4.modelPath";

    private static final String MP_CONFIG = "org.eclipse.microprofile.config.ConfigProvider";
    private static final Pattern DURATION = Pattern.compile("(?i)\\s*(\\d+)\\s*(ms|s|m|h|d)\\s*");

    /** Setting name → how its text sets the builder: every EngineOptions setting. */
    static final Map<String, BiConsumer<EngineOptions.Builder, String>> ENGINE_SETTINGS = engineSettings();

    private final Function<String, Optional<String>> source;

    private Phi4Settings(Function<String, Optional<String>> source) {
        this.source = source;
    }

    /** MicroProfile Config when present, then system properties, then environment variables. */
    public static Phi4Settings fromEnvironment() {
        if (!microProfileConfigPresent()) {
            return fromSystemAndEnvironment();
        }
        return new Phi4Settings(name -> MicroProfile.get(name).or(() -> systemOrEnvironment(name)));
    }

    /** System properties, then environment variables: what a runtime without MicroProfile Config gets. */
    public static Phi4Settings fromSystemAndEnvironment() {
        return new Phi4Settings(Phi4Settings::systemOrEnvironment);
    }

    /** Settings from any source, e.g. a map in tests. */
    public static Phi4Settings of(Function<String, Optional<String>> source) {
        return new Phi4Settings(source);
    }

    public Optional<String> get(String name) {
        return source.apply(name).map(String::trim).filter(v -> !v.isEmpty());
    }

    public Path modelPath() {
        return Path.of(get(MODEL_PATH)
                .orElseThrow(() -> new IllegalStateException("phi4: no model directory configured: set " + MODEL_PATH
                        + " (MicroProfile Config, e.g. application.properties; or -D" + MODEL_PATH
                        + ") or the environment variable " + envName(MODEL_PATH))));
    }

    /** The configured engine options; a wrong value fails naming its setting. */
    public EngineOptions engineOptions() {
        EngineOptions.Builder b = EngineOptions.builder();
        ENGINE_SETTINGS.forEach((name, setter) -> get(name).ifPresent(value -> {
            try {
                setter.accept(b, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("phi4: " + name + "='" + value + "': " + e.getMessage(), e);
            }
        }));
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("phi4: " + e.getMessage(), e);
        }
    }

    /** {@code phi4.modelPath} → {@code PHI4_MODEL_PATH}, as phi4-ejb spells it. */
    static String envName(String name) {
        return name.replaceAll("([a-z])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /** {@code 90s}, {@code 30m}, {@code 1h}, {@code 500ms}, {@code 2d} or ISO-8601 ({@code PT30M}). */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("expected a duration such as 90s, 30m, 500ms or PT30M", e);
        }
    }

    private static Map<String, BiConsumer<EngineOptions.Builder, String>> engineSettings() {
        Map<String, BiConsumer<EngineOptions.Builder, String>> m = new LinkedHashMap<>();
        m.put("phi4.executionProvider", EngineOptions.Builder::executionProvider);
        m.put("phi4.strictExecutionProvider", (b, v) -> b.strictExecutionProvider(bool(v)));
        m.put("phi4.intraOpThreads", (b, v) -> b.intraOpThreads(Integer.parseInt(v)));
        m.put("phi4.maxLength", (b, v) -> b.maxLength(Integer.parseInt(v)));
        m.put("phi4.kvCacheMode", (b, v) -> b.kvCacheMode(kvCacheMode(v)));
        m.put("phi4.maxBatchSize", (b, v) -> b.maxBatchSize(Integer.parseInt(v)));
        m.put("phi4.kvCacheBytes", (b, v) -> b.kvCacheBytes(EngineOptions.parseBytes(v)));
        m.put("phi4.gpuMemoryUtilization", (b, v) -> b.gpuMemoryUtilization(Double.parseDouble(v)));
        m.put("phi4.gpuMemLimit", (b, v) -> b.gpuMemLimit(EngineOptions.parseBytes(v)));
        m.put("phi4.hostMemoryUtilization", (b, v) -> b.hostMemoryUtilization(Double.parseDouble(v)));
        m.put("phi4.maxQueuedRequests", (b, v) -> b.maxQueuedRequests(Integer.parseInt(v)));
        m.put("phi4.maxTokensInFlight", (b, v) -> b.maxTokensInFlight(Long.parseLong(v)));
        m.put("phi4.maxImagePixels", (b, v) -> b.maxImagePixels(Long.parseLong(v)));
        m.put("phi4.maxDocumentPages", (b, v) -> b.maxDocumentPages(Integer.parseInt(v)));
        m.put("phi4.documentDpi", (b, v) -> b.documentDpi(Integer.parseInt(v)));
        m.put("phi4.maxAudioDuration", (b, v) -> b.maxAudioDuration(duration(v)));
        m.put("phi4.maxQueuedTokens", (b, v) -> b.maxQueuedTokens(Long.parseLong(v)));
        m.put("phi4.maxMediaBytes", (b, v) -> b.maxMediaBytes(EngineOptions.parseBytes(v)));
        m.put("phi4.maxImagesPerRequest", (b, v) -> b.maxImagesPerRequest(Integer.parseInt(v)));
        m.put("phi4.maxPixelsPerRequest", (b, v) -> b.maxPixelsPerRequest(Long.parseLong(v)));
        m.put("phi4.maxPageOperations", (b, v) -> b.maxPageOperations(Long.parseLong(v)));
        m.put("phi4.maxPageRenderTime", (b, v) -> b.maxPageRenderTime(duration(v)));
        m.put("phi4.prefixCacheBytes", (b, v) -> b.prefixCacheBytes(EngineOptions.parseBytes(v)));
        m.put("phi4.prefixBlockTokens", (b, v) -> b.prefixBlockTokens(Integer.parseInt(v)));
        m.put("phi4.prefillChunkTokens", (b, v) -> b.prefillChunkTokens(Integer.parseInt(v)));
        m.put("phi4.tokenChoiceThreads", (b, v) -> b.tokenChoiceThreads(Integer.parseInt(v)));
        return Map.copyOf(m);
    }

    private static boolean bool(String v) {
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("expected true or false");
        }
        return Boolean.parseBoolean(v);
    }

    private static KvCacheMode kvCacheMode(String v) {
        try {
            return KvCacheMode.valueOf(v.trim().replace('-', '_').toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected auto, shared_buffer or growing", e);
        }
    }

    private static Optional<String> systemOrEnvironment(String name) {
        return Optional.ofNullable(System.getProperty(name))
                .or(() -> Optional.ofNullable(System.getenv(envName(name))));
    }

    private static boolean microProfileConfigPresent() {
        try {
            Class.forName(MP_CONFIG, false, Phi4Settings.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Touched only when MicroProfile Config is on the class path. */
    private static final class MicroProfile {
        static Optional<String> get(String name) {
            return org.eclipse.microprofile.config.ConfigProvider.getConfig().getOptionalValue(name, String.class);
        }
    }
}

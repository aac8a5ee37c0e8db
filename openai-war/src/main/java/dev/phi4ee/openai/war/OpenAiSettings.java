package dev.phi4ee.openai.war;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.openai.OpenAiApiConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The API's settings in the EAR, read through MicroProfile Config (WildFly's {@code microprofile-config-smallrye},
 * part of {@code standalone-full.xml}): system properties, environment variables ({@code PHI4_OPENAI_APIKEYS}), the
 * server's config sources. Lists are comma-separated; a bad value fails the deployment with the setting's name.
 */
public final class OpenAiSettings {
    public static final String MODEL_ID = "phi4.openai.modelId";
    /** Bearer keys; unset = no authentication (the server's own security then guards the context). */
    public static final String API_KEYS = "phi4.openai.apiKeys";
    /** {@code http(s)} prefixes from which {@code image_url} may be fetched; unset = {@code data:} URLs only. */
    public static final String REMOTE_MEDIA_PREFIXES = "phi4.openai.remoteMediaPrefixes";
    /** Bytes or a binary unit ({@code 64m}); keep Undertow's {@code max-post-size} at least as large. */
    public static final String MAX_REQUEST_BYTES = "phi4.openai.maxRequestBytes";
    /** Generation bound when a request gives no {@code max_tokens}. */
    public static final String DEFAULT_MAX_TOKENS = "phi4.openai.defaultMaxTokens";

    private OpenAiSettings() {}

    /** From the application's MicroProfile Config. */
    public static OpenAiApiConfig fromMicroProfileConfig() {
        var config = ConfigProvider.getConfig();
        return from(name -> config.getOptionalValue(name, String.class));
    }

    /** From any source of named values (tests). */
    static OpenAiApiConfig from(Function<String, Optional<String>> source) {
        Function<String, Optional<String>> values =
                name -> source.apply(name).map(String::trim).filter(v -> !v.isEmpty());
        OpenAiApiConfig defaults = OpenAiApiConfig.defaults();
        try {
            return new OpenAiApiConfig(
                    values.apply(MODEL_ID).orElse(defaults.modelId()),
                    Set.copyOf(list(values.apply(API_KEYS))),
                    list(values.apply(REMOTE_MEDIA_PREFIXES)),
                    values.apply(MAX_REQUEST_BYTES)
                            .map(v -> named(MAX_REQUEST_BYTES, () -> EngineOptions.parseBytes(v)))
                            .orElse(defaults.maxRequestBytes()),
                    values.apply(DEFAULT_MAX_TOKENS)
                            .map(v -> named(DEFAULT_MAX_TOKENS, () -> Integer.parseInt(v)))
                            .orElse(defaults.defaultMaxTokens()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("phi4: OpenAI API settings: " + e.getMessage(), e);
        }
    }

    private static List<String> list(Optional<String> value) {
        return value.map(v -> Arrays.stream(v.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .collect(Collectors.toList()))
                .orElse(List.of());
    }

    private static <T> T named(String name, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }
}

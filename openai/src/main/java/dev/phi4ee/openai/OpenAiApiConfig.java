package dev.phi4ee.openai;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How the API is served.
 *
 * @param modelId the id listed by {@code GET /v1/models} and accepted in {@code model}
 * @param apiKeys bearer keys; empty = no authentication. Never logged nor echoed.
 * @param remoteMediaPrefixes URL prefixes (e.g. {@code https://media.example.com/}) from which {@code image_url}
 *     may be fetched; empty = remote URLs refused, only {@code data:} URLs accepted (no server-side request forgery)
 * @param maxRequestBytes larger request bodies are answered 413
 * @param defaultMaxTokens generation bound when a request gives neither {@code max_tokens} nor
 *     {@code max_completion_tokens} (shortened to what the context window leaves)
 */
public record OpenAiApiConfig(
        String modelId,
        Set<String> apiKeys,
        List<String> remoteMediaPrefixes,
        long maxRequestBytes,
        int defaultMaxTokens) {

    public static final String DEFAULT_MODEL_ID = "phi-4-multimodal-instruct";
    public static final long DEFAULT_MAX_REQUEST_BYTES = 64L << 20;

    public OpenAiApiConfig {
        Objects.requireNonNull(modelId, "modelId");
        apiKeys = Set.copyOf(apiKeys);
        remoteMediaPrefixes = List.copyOf(remoteMediaPrefixes);
        if (apiKeys.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("API keys must not be blank");
        }
        for (String prefix : remoteMediaPrefixes) {
            if (!prefix.matches("https?://[^/?#]+/.*")) {
                throw new IllegalArgumentException(
                        "remote media prefix must be an http(s) URL ending its host with" + " a '/', was " + prefix);
            }
        }
        if (maxRequestBytes < 1) {
            throw new IllegalArgumentException("maxRequestBytes must be >= 1, was " + maxRequestBytes);
        }
        if (defaultMaxTokens < 1) {
            throw new IllegalArgumentException("defaultMaxTokens must be >= 1, was " + defaultMaxTokens);
        }
    }

    public static OpenAiApiConfig defaults() {
        return new OpenAiApiConfig(DEFAULT_MODEL_ID, Set.of(), List.of(), DEFAULT_MAX_REQUEST_BYTES, 1024);
    }

    public OpenAiApiConfig withApiKeys(Set<String> keys) {
        return new OpenAiApiConfig(modelId, keys, remoteMediaPrefixes, maxRequestBytes, defaultMaxTokens);
    }

    public OpenAiApiConfig withModelId(String id) {
        return new OpenAiApiConfig(id, apiKeys, remoteMediaPrefixes, maxRequestBytes, defaultMaxTokens);
    }

    public OpenAiApiConfig withRemoteMediaPrefixes(List<String> prefixes) {
        return new OpenAiApiConfig(modelId, apiKeys, prefixes, maxRequestBytes, defaultMaxTokens);
    }

    public OpenAiApiConfig withMaxRequestBytes(long bytes) {
        return new OpenAiApiConfig(modelId, apiKeys, remoteMediaPrefixes, bytes, defaultMaxTokens);
    }

    /** Redacts the keys: a config may end up in a log line. */
    @Override
    public String toString() {
        return "OpenAiApiConfig[modelId=" + modelId + ", apiKeys=" + apiKeys.size() + " configured"
                + ", remoteMediaPrefixes=" + remoteMediaPrefixes + ", maxRequestBytes=" + maxRequestBytes
                + ", defaultMaxTokens=" + defaultMaxTokens + "]";
    }
}

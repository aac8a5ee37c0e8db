package dev.phi4ee.openai.war;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.openai.OpenAiApiConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpenAiSettingsTest {

    private static OpenAiApiConfig read(Map<String, String> values) {
        return OpenAiSettings.from(name -> Optional.ofNullable(values.get(name)));
    }

    @Test
    void unsetMeansTheStandaloneDefaults() {
        assertThat(read(Map.of())).isEqualTo(OpenAiApiConfig.defaults());
        assertThat(read(Map.of(OpenAiSettings.API_KEYS, "  "))).isEqualTo(OpenAiApiConfig.defaults());
    }

    @Test
    void listsAreCommaSeparatedAndSizesTakeUnits() {
        OpenAiApiConfig config = read(Map.of(
                OpenAiSettings.MODEL_ID, "phi4-local",
                OpenAiSettings.API_KEYS, "key-one, key-two,",
                OpenAiSettings.REMOTE_MEDIA_PREFIXES, "https://media.example.com/a/ , https://cdn.example.org/",
                OpenAiSettings.MAX_REQUEST_BYTES, "8m",
                OpenAiSettings.DEFAULT_MAX_TOKENS, "256"));

        assertThat(config.modelId()).isEqualTo("phi4-local");
        assertThat(config.apiKeys()).isEqualTo(Set.of("key-one", "key-two"));
        assertThat(config.remoteMediaPrefixes())
                .isEqualTo(List.of("https://media.example.com/a/", "https://cdn.example.org/"));
        assertThat(config.maxRequestBytes()).isEqualTo(8L << 20);
        assertThat(config.defaultMaxTokens()).isEqualTo(256);
    }

    @Test
    void aBadValueNamesItsSetting() {
        assertThatThrownBy(() -> read(Map.of(OpenAiSettings.DEFAULT_MAX_TOKENS, "many")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(OpenAiSettings.DEFAULT_MAX_TOKENS);
        assertThatThrownBy(() -> read(Map.of(OpenAiSettings.MAX_REQUEST_BYTES, "lots")))
                .hasMessageContaining(OpenAiSettings.MAX_REQUEST_BYTES);
        assertThatThrownBy(() -> read(Map.of(OpenAiSettings.REMOTE_MEDIA_PREFIXES, "ftp://x/")))
                .hasMessageContaining("remote media prefix");
    }
}

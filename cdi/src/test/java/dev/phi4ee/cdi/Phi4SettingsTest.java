package dev.phi4ee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.KvCacheMode;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every engine setting has a phi4.* name, values parse as documented, and a wrong one names its setting. */
class Phi4SettingsTest {

    private static Phi4Settings settings(Map<String, String> values) {
        return Phi4Settings.of(name -> Optional.ofNullable(values.get(name)));
    }

    @Test
    void everyEngineSettingHasAName() {
        List<String> missing = new ArrayList<>();
        for (RecordComponent c : EngineOptions.class.getRecordComponents()) {
            Class<?> t = c.getType();
            boolean setting = t.isPrimitive() || t == String.class || t == Duration.class || t.isEnum();
            if (setting && !Phi4Settings.ENGINE_SETTINGS.containsKey("phi4." + c.getName())) {
                missing.add(c.getName()); // objects such as a thread factory are the host's, not settings
            }
        }
        assertThat(missing).isEmpty();
    }

    @Test
    void nothingSetGivesTheEnginesDefaults() {
        assertThat(settings(Map.of()).engineOptions()).isEqualTo(EngineOptions.defaults());
    }

    @Test
    void valuesParseWithUnits() {
        EngineOptions o = settings(Map.of(
                        "phi4.executionProvider", "cuda:1",
                        "phi4.strictExecutionProvider", "true",
                        "phi4.kvCacheMode", "shared-buffer",
                        "phi4.kvCacheBytes", "64m",
                        "phi4.maxMediaBytes", "2MiB",
                        "phi4.maxAudioDuration", "90s",
                        "phi4.maxPageRenderTime", "PT0.5S",
                        "phi4.maxTokensInFlight", "4096",
                        "phi4.hostMemoryUtilization", " 0.5 "))
                .engineOptions();
        assertThat(o.executionProvider()).isEqualTo("cuda:1");
        assertThat(o.strictExecutionProvider()).isTrue();
        assertThat(o.kvCacheMode()).isEqualTo(KvCacheMode.SHARED_BUFFER);
        assertThat(o.kvCacheBytes()).isEqualTo(64L << 20);
        assertThat(o.maxMediaBytes()).isEqualTo(2L << 20);
        assertThat(o.maxAudioDuration()).isEqualTo(Duration.ofSeconds(90));
        assertThat(o.maxPageRenderTime()).isEqualTo(Duration.ofMillis(500));
        assertThat(o.maxTokensInFlight()).isEqualTo(4096);
        assertThat(o.hostMemoryUtilization()).isEqualTo(0.5);
    }

    @Test
    void wrongValuesNameTheirSetting() {
        assertThatThrownBy(() -> settings(Map.of("phi4.maxBatchSize", "eight")).engineOptions())
                .hasMessageContaining("phi4.maxBatchSize='eight'");
        assertThatThrownBy(() -> settings(Map.of("phi4.maxAudioDuration", "half an hour"))
                        .engineOptions())
                .hasMessageContaining("phi4.maxAudioDuration")
                .hasMessageContaining("90s");
        assertThatThrownBy(() -> settings(Map.of("phi4.maxBatchSize", "0")).engineOptions())
                .hasMessageContaining("maxBatchSize must be >= 1, was 0");
    }

    @Test
    void modelPathAndEnvironmentNames() {
        assertThat(settings(Map.of("phi4.modelPath", "/models/phi4")).modelPath())
                .isEqualTo(Path.of("/models/phi4"));
        assertThat(Phi4Settings.envName("phi4.modelPath")).isEqualTo("PHI4_MODEL_PATH");
        assertThat(Phi4Settings.envName("phi4.maxQueuedTokens")).isEqualTo("PHI4_MAX_QUEUED_TOKENS");
    }

    @Test
    void systemPropertiesAreReadWithoutMicroProfileConfigToo() {
        System.setProperty("phi4.maxDocumentPages", "7");
        try {
            // fromEnvironment() uses MicroProfile Config here (it is on the test class path); this is the fallback:
            assertThat(Phi4Settings.fromSystemAndEnvironment().engineOptions().maxDocumentPages())
                    .isEqualTo(7);
        } finally {
            System.clearProperty("phi4.maxDocumentPages");
        }
    }
}

package dev.phi4ee.ejb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.EngineOptions;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EngineSettingsTest {

    @Test
    void readsEngineOptionsAndTheModelPath() {
        EngineSettings s = EngineSettings.of(name -> Optional.ofNullable(Map.of(
                        "phi4.modelPath", " /models/phi4 ",
                        "phi4.executionProvider", "cpu",
                        "phi4.maxQueuedRequests", "32",
                        "phi4.maxLength", "2048")
                .get(name)));

        assertThat(s.modelPath()).isEqualTo("/models/phi4");
        assertThat(s.engineOptions().executionProvider()).isEqualTo("cpu");
        assertThat(s.engineOptions().maxQueuedRequests()).isEqualTo(32);
        assertThat(s.engineOptions().maxLength()).isEqualTo(2048);
        assertThat(s.engineOptions().maxBatchSize()).isEqualTo(8);
    }

    @Test
    void readsTheRequestAndQueueLimits() {
        EngineSettings s = EngineSettings.of(name -> Optional.ofNullable(Map.of(
                        "phi4.maxQueuedTokens", "4096",
                        "phi4.maxMediaBytes", "10m",
                        "phi4.maxImagesPerRequest", "4",
                        "phi4.maxPixelsPerRequest", "5000000")
                .get(name)));
        assertThat(s.engineOptions().maxQueuedTokens()).isEqualTo(4096);
        assertThat(s.engineOptions().maxMediaBytes()).isEqualTo(10L << 20);
        assertThat(s.engineOptions().maxImagesPerRequest()).isEqualTo(4);
        assertThat(s.engineOptions().maxPixelsPerRequest()).isEqualTo(5_000_000);
        assertThatThrownBy(() -> EngineSettings.of(name ->
                                name.equals("phi4.maxPixelsPerRequest") ? Optional.of("many") : Optional.empty())
                        .engineOptions())
                .hasMessageContaining("phi4.maxPixelsPerRequest must be an integer, was 'many'");
    }

    @Test
    void readsTheKvCacheMemorySettings() {
        EngineSettings s = EngineSettings.of(name -> Optional.ofNullable(Map.of(
                        "phi4.kvCacheBytes", "16g",
                        "phi4.gpuMemoryUtilization", "0.85",
                        "phi4.hostMemoryUtilization", "0.5")
                .get(name)));
        assertThat(s.engineOptions().kvCacheBytes()).isEqualTo(16L << 30);
        assertThat(s.engineOptions().gpuMemoryUtilization()).isEqualTo(0.85);
        assertThat(s.engineOptions().hostMemoryUtilization()).isEqualTo(0.5);

        EngineSettings defaults = EngineSettings.of(name -> Optional.empty());
        assertThat(defaults.engineOptions().kvCacheBytes()).isZero();
        assertThat(defaults.engineOptions().gpuMemoryUtilization()).isEqualTo(0.9);
        assertThat(defaults.engineOptions().hostMemoryUtilization()).isEqualTo(0.8);

        assertThatThrownBy(() -> EngineSettings.of(
                                name -> name.equals("phi4.kvCacheBytes") ? Optional.of("a lot") : Optional.empty())
                        .engineOptions())
                .hasMessageStartingWith("phi4: phi4.kvCacheBytes: expected a byte count")
                .hasMessageContaining("'a lot'");
        assertThatThrownBy(() -> EngineSettings.of(name ->
                                name.equals("phi4.hostMemoryUtilization") ? Optional.of("80%") : Optional.empty())
                        .engineOptions())
                .hasMessage("phi4: phi4.hostMemoryUtilization must be a number in (0, 1], was '80%'");
        assertThatThrownBy(() -> EngineSettings.of(name ->
                                name.equals("phi4.gpuMemoryUtilization") ? Optional.of("1.2") : Optional.empty())
                        .engineOptions())
                .hasMessage("phi4: gpuMemoryUtilization must be in (0, 1], was 1.2");
    }

    @Test
    void missingModelPathNamesEveryWayToSetIt() {
        EngineSettings s = EngineSettings.of(name -> Optional.of(""));
        assertThatThrownBy(s::modelPath)
                .hasMessageContaining("phi4.modelPath")
                .hasMessageContaining("-Dphi4.modelPath")
                .hasMessageContaining("PHI4_MODEL_PATH");
    }

    @Test
    void badNumbersNameTheSetting() {
        EngineSettings s =
                EngineSettings.of(name -> name.equals("phi4.maxBatchSize") ? Optional.of("many") : Optional.empty());
        assertThatThrownBy(s::engineOptions)
                .hasMessageContaining("phi4.maxBatchSize")
                .hasMessageContaining("many");
    }

    @Test
    void environmentVariableNames() {
        assertThat(EngineSettings.envName("phi4.modelPath")).isEqualTo("PHI4_MODEL_PATH");
        assertThat(EngineSettings.envName("phi4.executionProvider")).isEqualTo("PHI4_EXECUTION_PROVIDER");
    }

    @Test
    void systemPropertiesAreReadWithoutANamingService() {
        System.setProperty("phi4.intraOpThreads", "3");
        try {
            assertThat(EngineSettings.fromEnvironment().engineOptions().intraOpThreads())
                    .isEqualTo(3);
        } finally {
            System.clearProperty("phi4.intraOpThreads");
        }
    }

    /** Fails when EngineOptions gains a component that no {@code phi4.*} setting reaches. */
    @Test
    void everyEngineOptionIsASettingThatTakesEffect() throws Exception {
        EngineOptions defaults = EngineOptions.defaults();
        RecordComponent[] components = EngineOptions.class.getRecordComponents();
        assertThat(Arrays.stream(components).map(RecordComponent::getName))
                .as("EngineSettings.NOT_SETTINGS names components that exist")
                .containsAll(EngineSettings.NOT_SETTINGS);
        int checked = 0;
        for (RecordComponent c : components) {
            if (EngineSettings.NOT_SETTINGS.contains(c.getName())) {
                continue;
            }
            String name = "phi4." + c.getName();
            assertThat(EngineSettings.ENGINE_OPTIONS)
                    .as("EngineOptions." + c.getName() + " has the setting " + name)
                    .containsKey(name);
            Object before = c.getAccessor().invoke(defaults);
            String sample = sampleOtherThan(c.getType(), before);
            EngineOptions set = EngineSettings.of(n -> n.equals(name) ? Optional.of(sample) : Optional.empty())
                    .engineOptions();
            assertThat(c.getAccessor().invoke(set)).as(name + "=" + sample).isNotEqualTo(before);
            checked++;
        }
        assertThat(EngineSettings.ENGINE_OPTIONS).hasSize(checked);
    }

    private static String sampleOtherThan(Class<?> type, Object current) {
        if (type == int.class || type == long.class) {
            return ((Number) current).longValue() == 37 ? "38" : "37";
        }
        if (type == double.class) {
            return (Double) current == 0.5 ? "0.25" : "0.5";
        }
        if (type == boolean.class) {
            return String.valueOf(!(Boolean) current);
        }
        if (type == Duration.class) {
            return "77s";
        }
        if (type.isEnum()) {
            return Arrays.stream(type.getEnumConstants())
                    .filter(e -> !e.equals(current))
                    .findFirst()
                    .orElseThrow()
                    .toString()
                    .toLowerCase(java.util.Locale.ROOT);
        }
        if (type == String.class) {
            return "cpu".equals(current) ? "auto" : "cpu";
        }
        throw new AssertionError("no sample value for a setting of type " + type + ": extend this test");
    }

    @Test
    void readsTheEngineLimitsAndModes() {
        EngineSettings s = EngineSettings.of(name -> Optional.ofNullable(Map.of(
                        "phi4.strictExecutionProvider", "true",
                        "phi4.kvCacheMode", "growing",
                        "phi4.maxAudioDuration", "90s",
                        "phi4.documentDpi", "150")
                .get(name)));
        assertThat(s.engineOptions().strictExecutionProvider()).isTrue();
        assertThat(s.engineOptions().kvCacheMode()).hasToString("GROWING");
        assertThat(s.engineOptions().maxAudioDuration()).isEqualTo(Duration.ofSeconds(90));
        assertThat(s.engineOptions().documentDpi()).isEqualTo(150);
        assertThat(EngineSettings.duration("x", "PT2M")).isEqualTo(Duration.ofMinutes(2));
        assertThatThrownBy(() -> EngineSettings.of(
                                name -> name.equals("phi4.kvCacheMode") ? Optional.of("paged") : Optional.empty())
                        .engineOptions())
                .hasMessageContaining("phi4.kvCacheMode must be auto, shared_buffer or growing, was 'paged'");
        assertThatThrownBy(() -> EngineSettings.of(
                                name -> name.equals("phi4.maxAudioDuration") ? Optional.of("long") : Optional.empty())
                        .engineOptions())
                .hasMessageContaining("phi4.maxAudioDuration must be a duration");
    }

    @Test
    void jmsSettingsDefaultFromTheMediaLimit() {
        EngineSettings defaults = EngineSettings.of(name -> Optional.empty());
        assertThat(defaults.maxMessageBytes()).isEqualTo((100L << 20) / 3 * 4 + 4 + (1L << 20));
        assertThat(defaults.resultCacheSize()).isEqualTo(1024);
        assertThat(defaults.resultCacheTtl()).isEqualTo(Duration.ofMinutes(30));

        EngineSettings set = EngineSettings.of(name -> Optional.ofNullable(Map.of(
                        "phi4.jms.maxMessageBytes", "2m",
                        "phi4.jms.resultCacheSize", "0",
                        "phi4.jms.resultCacheTtl", "5m")
                .get(name)));
        assertThat(set.maxMessageBytes()).isEqualTo(2L << 20);
        assertThat(set.resultCacheSize()).isZero();
        assertThat(set.resultCacheTtl()).isEqualTo(Duration.ofMinutes(5));
    }
}

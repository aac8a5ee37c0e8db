package dev.phi4ee.ejb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}

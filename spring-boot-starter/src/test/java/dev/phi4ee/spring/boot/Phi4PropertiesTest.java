package dev.phi4ee.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.phi4ee.camel.Phi4Configuration;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.KvCacheMode;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The property classes cover every engine setting and every endpoint default, with the engine's own defaults. */
class Phi4PropertiesTest {

    @Test
    void defaultsAreTheEnginesDefaults() {
        assertThat(new Phi4Properties().toEngineOptions()).isEqualTo(EngineOptions.defaults());
    }

    @Test
    void everyEngineSettingIsAProperty() {
        BeanWrapperImpl properties = new BeanWrapperImpl(new Phi4Properties());
        List<String> missing = new ArrayList<>();
        for (RecordComponent c : EngineOptions.class.getRecordComponents()) {
            Class<?> t = c.getType();
            boolean setting = t.isPrimitive() || t == String.class || t == Duration.class || t.isEnum();
            if (setting && !properties.isWritableProperty(c.getName())) {
                missing.add(c.getName()); // objects such as a thread factory are the host's, not settings
            }
        }
        assertThat(missing)
                .as("EngineOptions settings without a phi4.* property")
                .isEmpty();
    }

    @Test
    void relaxedValuesBindToEngineOptions() {
        Map<String, String> values = Map.of(
                "phi4.execution-provider", "cuda:1",
                "phi4.strict-execution-provider", "true",
                "phi4.kv-cache-mode", "shared-buffer",
                "phi4.kv-cache-bytes", "64MB",
                "phi4.max-media-bytes", "2MB",
                "phi4.max-audio-duration", "90s",
                "phi4.max-page-render-time", "500ms",
                "phi4.max-tokens-in-flight", "4096",
                "phi4.document-dpi", "300",
                "phi4.host-memory-utilization", "0.5");
        EngineOptions o = new Binder(new MapConfigurationPropertySource(values))
                .bind("phi4", Phi4Properties.class)
                .get()
                .toEngineOptions();
        assertThat(o.executionProvider()).isEqualTo("cuda:1");
        assertThat(o.strictExecutionProvider()).isTrue();
        assertThat(o.kvCacheMode()).isEqualTo(KvCacheMode.SHARED_BUFFER);
        assertThat(o.kvCacheBytes()).isEqualTo(64L << 20);
        assertThat(o.maxMediaBytes()).isEqualTo(2L << 20);
        assertThat(o.maxAudioDuration()).isEqualTo(Duration.ofSeconds(90));
        assertThat(o.maxPageRenderTime()).isEqualTo(Duration.ofMillis(500));
        assertThat(o.maxTokensInFlight()).isEqualTo(4096);
        assertThat(o.documentDpi()).isEqualTo(300);
        assertThat(o.hostMemoryUtilization()).isEqualTo(0.5);
    }

    /**
     * Every option of the phi4 component (Camel's generated catalog) is either an endpoint default here or an engine
     * option, which the starter takes from {@code phi4.*} instead (routes share the application's engine).
     */
    @Test
    void componentOptionsAreCoveredByTheCatalog() throws Exception {
        Set<String> engineOptions = Set.of(
                "engine",
                "configuration",
                "autowiredEnabled",
                "maxNewTokens", // deprecated alias of maxOutputLength
                "modelPath",
                "executionProvider",
                "strictExecutionProvider",
                "intraOpThreads",
                "maxLength",
                "kvCacheMode",
                "maxBatchSize",
                "kvCacheBytes",
                "gpuMemoryUtilization",
                "hostMemoryUtilization",
                "maxQueuedRequests",
                "maxInFlightLength",
                "maxQueuedLength",
                "maxImagePixels",
                "maxDocumentPages",
                "documentDpi",
                "maxAudioDuration",
                "maxMediaBytes",
                "maxImagesPerRequest",
                "maxPixelsPerRequest",
                "maxPageOperations",
                "maxPageRenderTime",
                "prefixCacheBytes",
                "prefixBlockTokens",
                "prefillChunkTokens",
                "tokenChoiceThreads",
                "gpuMemLimit");
        JsonNode catalog;
        try (InputStream in = Phi4Configuration.class.getResourceAsStream("/META-INF/dev/phi4ee/camel/phi4.json")) {
            assertThat(in).as("camel-phi4's generated catalog").isNotNull();
            catalog = new ObjectMapper().readTree(in);
        }
        BeanWrapperImpl starter = new BeanWrapperImpl(new Phi4ComponentConfiguration());
        List<String> missing = new ArrayList<>();
        for (Iterator<String> it = catalog.get("componentProperties").fieldNames(); it.hasNext(); ) {
            String option = it.next();
            if (!engineOptions.contains(option) && !starter.isWritableProperty(option)) {
                missing.add(option);
            }
        }
        assertThat(missing)
                .as("phi4 component options without a camel.component.phi4.* property")
                .isEmpty();
    }

    @Test
    void endpointDefaultsAreTheComponentsDefaults() {
        Phi4ComponentConfiguration starter = new Phi4ComponentConfiguration();
        Phi4Configuration component = new Phi4Configuration();
        assertThat(starter.getMaxOutputLength()).isEqualTo(component.getMaxOutputLength());
        assertThat(starter.getTimeout().toMillis()).isEqualTo(component.getTimeout());
        assertThat(starter.isStreaming()).isEqualTo(component.isStreaming());
        assertThat(starter.isKeepOriginalBody()).isEqualTo(component.isKeepOriginalBody());
        assertThat(starter.getTemperature()).isEqualTo(component.getTemperature());
        assertThat(starter.getTopP()).isEqualTo(component.getTopP());
        assertThat(starter.getTopK()).isEqualTo(component.getTopK());
        assertThat(starter.getSeed()).isEqualTo(component.getSeed());
        assertThat(starter.getSystemPrompt()).isEqualTo(component.getSystemPrompt());
        assertThat(starter.getPrompt()).isEqualTo(component.getPrompt());
    }
}

package dev.phi4ee.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.KvCacheMode;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.apache.camel.util.URISupport;
import org.junit.jupiter.api.Test;

/** Endpoint options, engine resolution and the generated metadata. */
class Phi4ComponentTest {

    @Test
    void uriOptionsReachTheEndpointAndEndpointsDoNotShareConfiguration() throws Exception {
        CamelContext context = new DefaultCamelContext();
        try {
            context.getRegistry().bind("engine", TestEngines.shared());
            context.start();
            Phi4Endpoint a = context.getEndpoint(
                    "phi4:generate?maxOutputLength=12&temperature=0.7&topP=0.9&topK=40&seed=7&stopSequences=END,STOP"
                            + "&timeout=30s&systemPrompt=Hi&streaming=true&keepOriginalBody=false",
                    Phi4Endpoint.class);
            Phi4Endpoint b = context.getEndpoint("phi4:generate", Phi4Endpoint.class);

            Phi4Configuration c = a.getConfiguration();
            assertThat(c.getMaxOutputLength()).isEqualTo(12);
            assertThat(c.getTemperature()).isEqualTo(0.7);
            assertThat(c.getTopP()).isEqualTo(0.9);
            assertThat(c.getTopK()).isEqualTo(40);
            assertThat(c.getSeed()).isEqualTo(7L);
            assertThat(c.getTimeout()).isEqualTo(30_000L);
            assertThat(c.isStreaming()).isTrue();
            assertThat(c.isKeepOriginalBody()).isFalse();
            assertThat(b.getConfiguration()).isNotSameAs(c);
            assertThat(b.getConfiguration().getMaxOutputLength()).isEqualTo(256);

            var options = ExchangeRequestMapper.optionsOf(c);
            assertThat(options.doSample()).isTrue();
            assertThat(options.stopSequences()).containsExactly("END", "STOP");
            assertThat(options.timeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(options.seed()).isEqualTo(7L);
        } finally {
            context.stop();
        }
    }

    @Test
    void theOnlyEngineInTheRegistryIsAutowired() throws Exception {
        CamelContext context = new DefaultCamelContext();
        try {
            context.getRegistry().bind("anyName", TestEngines.shared());
            context.start();
            Phi4Endpoint endpoint = context.getEndpoint("phi4:generate", Phi4Endpoint.class);
            endpoint.start();
            assertThat(endpoint.engine()).isSameAs(TestEngines.shared());
        } finally {
            context.stop();
        }
    }

    @Test
    void withoutEngineOrModelPathTheRouteFailsToStartWithAClearMessage() throws Exception {
        CamelContext context = new DefaultCamelContext();
        try {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:x").to("phi4:generate");
                }
            });
            assertThatThrownBy(context::start)
                    .isInstanceOf(FailedToStartRouteException.class)
                    .rootCause()
                    .hasMessageContaining("modelPath");
        } finally {
            context.stop();
        }
    }

    @Test
    void modelPathOpensAnEngineWithTheKvCacheOptions() throws Exception {
        CamelContext context = new DefaultCamelContext();
        try {
            context.start();
            String model = TestEngines.modelDirectory().toString();
            Phi4Endpoint endpoint = context.getEndpoint(
                    "phi4:generate?modelPath=" + model + "&executionProvider=cpu&maxBatchSize=2&kvCacheBytes=8m"
                            + "&gpuMemoryUtilization=0.5&hostMemoryUtilization=0.5",
                    Phi4Endpoint.class);
            endpoint.start();
            // The kit model: 1 KiB per token; 8 MiB over 2 slots = 4096 tokens each, its whole max_length.
            var plan = endpoint.engine().info().kvCache();
            assertThat(plan.slots()).isEqualTo(2);
            assertThat(plan.window()).isEqualTo(4096);
            assertThat(plan.budgetSource()).isEqualTo("kvCacheBytes");
            Phi4Endpoint same = context.getEndpoint(
                    "phi4:generate?modelPath=" + model + "&executionProvider=cpu&maxBatchSize=2&kvCacheBytes=8388608"
                            + "&gpuMemoryUtilization=0.5&hostMemoryUtilization=0.5&maxOutputLength=3",
                    Phi4Endpoint.class);
            same.start();
            assertThat(same.engine()).as("same engine options: one engine").isSameAs(endpoint.engine());

            // Endpoints of a started context start (and open their engine) when created.
            assertThatThrownBy(() -> context.getEndpoint("phi4:generate?modelPath=" + model
                            + "&executionProvider=cpu&maxLength=4096&kvCacheBytes=1m"))
                    .rootCause()
                    .hasMessageStartingWith("maxLength 4096 needs 4.0 MiB of KV cache for one request");
            assertThatThrownBy(() -> context.getEndpoint("phi4:generate?modelPath=" + model + "&kvCacheBytes=lots"))
                    .rootCause()
                    .hasMessageContaining("was 'lots'");
        } finally {
            context.stop();
        }
    }

    @Test
    void requestAndQueueLimitsReachTheEngineOptions() throws Exception {
        CamelContext context = new DefaultCamelContext();
        try {
            // Not started: the endpoint is created without opening an engine.
            Phi4Endpoint endpoint = context.getEndpoint(
                    "phi4:generate?maxQueuedLength=4096&maxMediaBytes=10m&maxImagesPerRequest=4"
                            + "&maxPixelsPerRequest=5000000&maxPageOperations=3000&maxPageRenderTime=3s"
                            + "&prefixCacheBytes=2m&prefixBlockTokens=32&prefillChunkTokens=96&tokenChoiceThreads=3"
                            + "&gpuMemLimit=3g",
                    Phi4Endpoint.class);
            var options = endpoint.getConfiguration().engineOptions();
            assertThat(options.maxQueuedTokens()).isEqualTo(4096);
            assertThat(options.maxMediaBytes()).isEqualTo(10L << 20);
            assertThat(options.maxImagesPerRequest()).isEqualTo(4);
            assertThat(options.maxPixelsPerRequest()).isEqualTo(5_000_000);
            assertThat(options.maxPageOperations()).isEqualTo(3000);
            assertThat(options.maxPageRenderTime()).isEqualTo(Duration.ofSeconds(3));
            assertThat(options.prefixCacheBytes()).isEqualTo(2L << 20);
            assertThat(options.prefixBlockTokens()).isEqualTo(32);
            assertThat(options.prefillChunkTokens()).isEqualTo(96);
            assertThat(options.tokenChoiceThreads()).isEqualTo(3);
            assertThat(options.gpuMemLimit()).isEqualTo(3L << 30);
        } finally {
            context.stop();
        }
    }

    @Test
    void everyEngineOptionIsSetFromCamelComponentProperties() throws Exception {
        Main main = new Main();
        main.addInitialProperty("camel.component.phi4.modelPath", "/models/phi4");
        main.addInitialProperty("camel.component.phi4.executionProvider", "cuda:1");
        main.addInitialProperty("camel.component.phi4.strictExecutionProvider", "true");
        main.addInitialProperty("camel.component.phi4.intraOpThreads", "3");
        main.addInitialProperty("camel.component.phi4.maxLength", "2048");
        main.addInitialProperty("camel.component.phi4.kvCacheMode", "GROWING");
        main.addInitialProperty("camel.component.phi4.maxBatchSize", "2");
        main.addInitialProperty("camel.component.phi4.kvCacheBytes", "512m");
        main.addInitialProperty("camel.component.phi4.gpuMemoryUtilization", "0.7");
        main.addInitialProperty("camel.component.phi4.hostMemoryUtilization", "0.6");
        main.addInitialProperty("camel.component.phi4.maxQueuedRequests", "9");
        main.addInitialProperty("camel.component.phi4.maxInFlightLength", "50000");
        main.addInitialProperty("camel.component.phi4.maxImagePixels", "4000000");
        main.addInitialProperty("camel.component.phi4.maxDocumentPages", "5");
        main.addInitialProperty("camel.component.phi4.documentDpi", "150");
        main.addInitialProperty("camel.component.phi4.maxAudioDuration", "90s");
        main.addInitialProperty("camel.component.phi4.maxOutputLength", "64");
        main.addInitialProperty("camel.component.phi4.maxQueuedLength", "8192");
        main.addInitialProperty("camel.component.phi4.maxMediaBytes", "20m");
        main.addInitialProperty("camel.component.phi4.maxImagesPerRequest", "6");
        main.addInitialProperty("camel.component.phi4.maxPixelsPerRequest", "7000000");
        main.addInitialProperty("camel.component.phi4.maxPageOperations", "250000");
        main.addInitialProperty("camel.component.phi4.maxPageRenderTime", "2500ms");
        try {
            main.start();
            Phi4Configuration c = main.getCamelContext()
                    .getComponent("phi4", Phi4Component.class)
                    .getConfiguration();
            EngineOptions o = c.engineOptions();
            assertThat(o.executionProvider()).isEqualTo("cuda:1");
            assertThat(o.strictExecutionProvider()).isTrue();
            assertThat(o.intraOpThreads()).isEqualTo(3);
            assertThat(o.maxLength()).isEqualTo(2048);
            assertThat(o.kvCacheMode()).isEqualTo(KvCacheMode.GROWING);
            assertThat(o.maxBatchSize()).isEqualTo(2);
            assertThat(o.kvCacheBytes()).isEqualTo(512L << 20);
            assertThat(o.gpuMemoryUtilization()).isEqualTo(0.7);
            assertThat(o.hostMemoryUtilization()).isEqualTo(0.6);
            assertThat(o.maxQueuedRequests()).isEqualTo(9);
            assertThat(o.maxTokensInFlight()).isEqualTo(50_000L);
            assertThat(o.maxImagePixels()).isEqualTo(4_000_000L);
            assertThat(o.maxDocumentPages()).isEqualTo(5);
            assertThat(o.documentDpi()).isEqualTo(150);
            assertThat(o.maxAudioDuration()).isEqualTo(Duration.ofSeconds(90));
            assertThat(o.maxQueuedTokens()).isEqualTo(8192);
            assertThat(o.maxMediaBytes()).isEqualTo(20L << 20);
            assertThat(o.maxImagesPerRequest()).isEqualTo(6);
            assertThat(o.maxPixelsPerRequest()).isEqualTo(7_000_000);
            assertThat(o.maxPageOperations()).isEqualTo(250_000);
            assertThat(o.maxPageRenderTime()).isEqualTo(Duration.ofMillis(2500));
            assertThat(c.getModelPath()).isEqualTo("/models/phi4");
            assertThat(c.getMaxOutputLength()).isEqualTo(64);
        } finally {
            main.stop();
        }
    }

    @Test
    void endpointDefaultsMatchTheEngineDefaults() {
        assertThat(new Phi4Configuration().engineOptions())
                .isEqualTo(EngineOptions.builder().build());
    }

    @Test
    void loggedUrisShowTheOutputLengthAndTheFormerNameStillWorks() throws Exception {
        CamelContext context = new DefaultCamelContext();
        try {
            context.getRegistry().bind("engine", TestEngines.shared());
            context.start();
            Phi4Endpoint endpoint =
                    context.getEndpoint("phi4:generate?maxOutputLength=12&maxInFlightLength=4096", Phi4Endpoint.class);
            // Camel masks every option whose name contains a sensitive word such as "token" (URISupport.sanitizeUri)
            assertThat(URISupport.sanitizeUri(endpoint.getEndpointUri()))
                    .contains("maxOutputLength=12")
                    .contains("maxInFlightLength=4096");
            assertThat(URISupport.sanitizeUri("phi4:generate?maxNewTokens=12")).doesNotContain("=12");

            Phi4Endpoint legacy = context.getEndpoint("phi4:generate?maxNewTokens=5", Phi4Endpoint.class);
            assertThat(legacy.getConfiguration().getMaxOutputLength()).isEqualTo(5);
            assertThat(ExchangeRequestMapper.optionsOf(legacy.getConfiguration())
                            .maxNewTokens())
                    .isEqualTo(5);
        } finally {
            context.stop();
        }
    }

    @Test
    void unknownOperationIsRejected() throws Exception {
        CamelContext context = new DefaultCamelContext();
        try {
            context.start();
            assertThatThrownBy(() -> context.getEndpoint("phi4:chat"))
                    .rootCause()
                    .hasMessageContaining("phi4:generate");
        } finally {
            context.stop();
        }
    }

    @Test
    void generatedMetadataDocumentsOptionsAndHeaders() throws Exception {
        try (var in = getClass().getResourceAsStream("/META-INF/dev/phi4ee/camel/phi4.json")) {
            String json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            for (String name : new String[] {
                "modelPath",
                "executionProvider",
                "strictExecutionProvider",
                "intraOpThreads",
                "kvCacheMode",
                "maxQueuedRequests",
                "maxInFlightLength",
                "maxImagePixels",
                "maxDocumentPages",
                "documentDpi",
                "maxAudioDuration",
                "maxOutputLength",
                "maxLength",
                "maxBatchSize",
                "kvCacheBytes",
                "gpuMemoryUtilization",
                "hostMemoryUtilization",
                "systemPrompt",
                "prompt",
                "maxNewTokens",
                "temperature",
                "topP",
                "topK",
                "seed",
                "stopSequences",
                "timeout",
                "streaming",
                "streamingEndpoint",
                "engine",
                Phi4Constants.FINISH_REASON,
                Phi4Constants.TOKEN_USAGE,
                Phi4Constants.ORIGINAL_BODY
            }) {
                assertThat(json).contains("\"" + name + "\"");
            }
        }
    }
}

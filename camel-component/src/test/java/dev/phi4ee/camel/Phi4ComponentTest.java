package dev.phi4ee.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
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
                    "phi4:generate?maxNewTokens=12&temperature=0.7&topP=0.9&topK=40&seed=7&stopSequences=END,STOP"
                            + "&timeout=30s&systemPrompt=Hi&streaming=true&keepOriginalBody=false",
                    Phi4Endpoint.class);
            Phi4Endpoint b = context.getEndpoint("phi4:generate", Phi4Endpoint.class);

            Phi4Configuration c = a.getConfiguration();
            assertThat(c.getMaxNewTokens()).isEqualTo(12);
            assertThat(c.getTemperature()).isEqualTo(0.7);
            assertThat(c.getTopP()).isEqualTo(0.9);
            assertThat(c.getTopK()).isEqualTo(40);
            assertThat(c.getSeed()).isEqualTo(7L);
            assertThat(c.getTimeout()).isEqualTo(30_000L);
            assertThat(c.isStreaming()).isTrue();
            assertThat(c.isKeepOriginalBody()).isFalse();
            assertThat(b.getConfiguration()).isNotSameAs(c);
            assertThat(b.getConfiguration().getMaxNewTokens()).isEqualTo(256);

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
                            + "&gpuMemoryUtilization=0.5&hostMemoryUtilization=0.5&maxNewTokens=3",
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
                    "phi4:generate?maxQueuedTokens=4096&maxMediaBytes=10m&maxImagesPerRequest=4"
                            + "&maxPixelsPerRequest=5000000",
                    Phi4Endpoint.class);
            var options = endpoint.getConfiguration().engineOptions();
            assertThat(options.maxQueuedTokens()).isEqualTo(4096);
            assertThat(options.maxMediaBytes()).isEqualTo(10L << 20);
            assertThat(options.maxImagesPerRequest()).isEqualTo(4);
            assertThat(options.maxPixelsPerRequest()).isEqualTo(5_000_000);
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

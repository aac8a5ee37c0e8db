package dev.phi4ee.camel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.Phi4Engine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** 50 exchanges in flight at once through one engine, on a route that has only a few threads. */
class Phi4ConcurrencyTest extends CamelTestSupport {

    private static final EchoEngine ENGINE = new EchoEngine(Duration.ofMillis(300));

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("phi4Engine", (Phi4Engine) ENGINE);
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:generate").to("phi4:generate").to("mock:done");
            }
        };
    }

    @Test
    void fiftyConcurrentExchangesShareOneEngineWithoutBlockingCallers() throws Exception {
        getMockEndpoint("mock:done").expectedMessageCount(50);
        List<CompletableFuture<Exchange>> futures = new ArrayList<>();

        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            int n = i;
            futures.add(
                    template.asyncSend("direct:generate", e -> e.getMessage().setBody("request " + n)));
        }
        for (int i = 0; i < 50; i++) {
            Exchange e = futures.get(i).get(30, TimeUnit.SECONDS);
            assertThat(e.getException()).isNull();
            assertThat(e.getMessage().getBody(String.class)).contains("request " + i);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        getMockEndpoint("mock:done").assertIsSatisfied();
        assertThat(ENGINE.requests()).isEqualTo(50);
        // ProducerTemplate's async pool has 10 threads: more than 10 in flight proves no thread waits per request.
        assertThat(ENGINE.maxInFlight()).isGreaterThan(10);
        assertThat(took).isLessThan(Duration.ofMillis(50 * 300 / 10));
    }
}

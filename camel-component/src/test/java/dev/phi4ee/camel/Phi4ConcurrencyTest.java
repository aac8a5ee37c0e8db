package dev.phi4ee.camel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

/**
 * 50 exchanges through one engine from a route with a single consumer thread. A producer that blocked its thread
 * per request would let the second exchange in only after the first completed; the asynchronous producer hands all
 * 50 to the engine while the first is still generating.
 */
class Phi4ConcurrencyTest extends CamelTestSupport {

    private static final int EXCHANGES = 50;

    private final AtomicInteger entered = new AtomicInteger();
    private final AtomicInteger completed = new AtomicInteger();
    private final List<Integer> inFlightAtCompletion = new CopyOnWriteArrayList<>();
    private final List<String> continuationThreads = new CopyOnWriteArrayList<>();

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("phi4Engine", TestEngines.shared());
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("seda:requests?concurrentConsumers=1")
                        .process(e -> entered.incrementAndGet())
                        .to("phi4:generate?maxOutputLength=2")
                        .process(e -> {
                            inFlightAtCompletion.add(entered.get() - completed.getAndIncrement());
                            continuationThreads.add(Thread.currentThread().getName());
                        })
                        .to("mock:done");
            }
        };
    }

    @Test
    void fiftyExchangesShareOneEngineWithoutBlockingTheRouteThread() throws Exception {
        MockEndpoint done = getMockEndpoint("mock:done");
        done.expectedMessageCount(EXCHANGES);

        for (int i = 0; i < EXCHANGES; i++) {
            template.sendBody("seda:requests", "request number " + i);
        }

        done.assertIsSatisfied(180_000);
        for (Exchange e : done.getExchanges()) {
            assertThat(e.getException()).isNull();
            assertThat(e.getMessage().getBody()).isInstanceOf(String.class);
            assertThat(e.getMessage().getHeader(Phi4Constants.GENERATED_TOKENS, Integer.class))
                    .isBetween(1, 2);
        }
        // One consumer thread, yet many exchanges were waiting on the engine at once (a blocking producer: 1).
        int maxInFlight =
                inFlightAtCompletion.stream().mapToInt(Integer::intValue).max().orElse(0);
        assertThat(maxInFlight).as("exchanges in flight at once").isGreaterThan(10);
        // The route goes on in the component's pool, so the engine's thread goes back to decoding at once.
        assertThat(continuationThreads).allSatisfy(name -> assertThat(name).contains("phi4-complete"));
    }
}

package dev.phi4ee.camel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.ModelInfo;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.TokenListener;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

/** A busy engine is worth redelivering; {@link Phi4ExchangeException#retryable(int)} lets it through, bounded. */
class Phi4RetryTest extends CamelTestSupport {

    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicInteger redeliveries = new AtomicInteger();

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("busy", new Phi4Engine() {
            @Override
            public GenerationHandle stream(GenerationRequest request, TokenListener listener) {
                attempts.incrementAndGet();
                throw new EngineOverloadedException("queue full");
            }

            @Override
            public Flow.Publisher<String> publish(GenerationRequest request) {
                throw new UnsupportedOperationException();
            }

            @Override
            public ModelInfo info() {
                return null;
            }

            @Override
            public void close() {}
        });
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                errorHandler(defaultErrorHandler()
                        .redeliveryDelay(0)
                        .retryWhile(Phi4ExchangeException.retryable(3))
                        .onRedelivery(e -> redeliveries.incrementAndGet()));
                from("direct:busy").to("phi4:generate");
            }
        };
    }

    @Test
    void overloadedEngineIsRedeliveredUpToTheBound() {
        Exchange out = template.send("direct:busy", e -> e.getMessage().setBody("hello"));

        assertThat(out.getException()).isInstanceOf(Phi4ExchangeException.class);
        assertThat(out.getException().getCause()).isInstanceOf(EngineOverloadedException.class);
        assertThat(((Phi4ExchangeException) out.getException()).isRetryable()).isTrue();
        assertThat(redeliveries.get()).isEqualTo(3);
        assertThat(attempts.get()).isEqualTo(4);
    }
}

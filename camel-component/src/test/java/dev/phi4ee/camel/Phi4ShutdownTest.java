package dev.phi4ee.camel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.ModelInfo;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.Timings;
import dev.phi4ee.core.api.TokenListener;
import dev.phi4ee.core.api.TokenUsage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

/**
 * Exchanges in flight when a route stops, restarts or the context shuts down: each completes, with its result when the
 * generation ends within Camel's shutdown timeout, else with a clear exception once the producer stops; a generation
 * ending after that is not delivered twice and breaks nothing.
 */
class Phi4ShutdownTest extends CamelTestSupport {

    /** An engine whose generations end when the test says so (or when cancelled). */
    static final class HeldEngine implements Phi4Engine {
        final List<CompletableFuture<GenerationResult>> pending = new CopyOnWriteArrayList<>();
        final AtomicInteger cancelled = new AtomicInteger();

        static GenerationResult result(String text, FinishReason reason) {
            return new GenerationResult(
                    text, reason, new TokenUsage(1, 0, 0, 1), new Timings(null, null, Duration.ZERO, 0), List.of());
        }

        @Override
        public GenerationHandle stream(GenerationRequest request, TokenListener listener) {
            CompletableFuture<GenerationResult> f = new CompletableFuture<>();
            pending.add(f);
            return new GenerationHandle() {
                @Override
                public CompletableFuture<GenerationResult> result() {
                    return f;
                }

                @Override
                public void cancel() {
                    cancelled.incrementAndGet();
                    // as the real engine: a cancelled generation still ends, later, on its own thread
                    later(200, () -> f.complete(HeldEngine.result("", FinishReason.CANCELLED)));
                }
            };
        }

        /** Ends every generation still running, as if it had finished now. */
        void finishAll() {
            pending.forEach(f -> f.complete(result("generated", FinishReason.STOP)));
        }

        void awaitRequests(int n) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (pending.size() < n && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertThat(pending).hasSizeGreaterThanOrEqualTo(n);
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
    }

    private final HeldEngine engine = new HeldEngine();

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("held", engine);
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").routeId("generate").to("phi4:generate?engine=#held");
            }
        };
    }

    private CompletableFuture<Exchange> send(ExchangePattern pattern) {
        Exchange exchange = new DefaultExchange(context, pattern);
        exchange.getMessage().setBody("hello");
        // Own threads, not the common pool: it may have a single thread, which a blocked send would hold.
        CompletableFuture<Exchange> out = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> out.complete(template.send("direct:in", exchange)));
        return out;
    }

    static void later(long millis, Runnable action) {
        Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            action.run();
        });
    }

    @Test
    void routeStopPastTheTimeoutFailsTheInFlightExchangeClearlyAndCancelsIt() throws Exception {
        context.getShutdownStrategy().setTimeout(1);
        CompletableFuture<Exchange> reply = send(ExchangePattern.InOut);
        engine.awaitRequests(1);

        context.getRouteController().stopRoute("generate");
        engine.finishAll(); // the generation ends after the producer stopped

        Exchange out = reply.get(20, TimeUnit.SECONDS);
        assertThat(out.getException()).isInstanceOf(Phi4ExchangeException.class);
        assertThat(out.getException().getMessage()).contains("stopped before the generation finished");
        assertThat(engine.cancelled).hasValue(1);
    }

    @Test
    void restartedRouteServesAgainAndTheExchangeInFlightAtStopCompleted() throws Exception {
        context.getShutdownStrategy().setTimeout(1);
        CompletableFuture<Exchange> before = send(ExchangePattern.InOnly);
        engine.awaitRequests(1);

        context.getRouteController().stopRoute("generate");
        context.getRouteController().startRoute("generate");
        engine.finishAll();

        assertThat(before.get(20, TimeUnit.SECONDS).getException()).isInstanceOf(Phi4ExchangeException.class);
        CompletableFuture<Exchange> after = send(ExchangePattern.InOut);
        engine.awaitRequests(2);
        engine.finishAll();
        Exchange out = after.get(20, TimeUnit.SECONDS);
        assertThat(out.getException()).isNull();
        assertThat(out.getMessage().getBody(String.class)).isEqualTo("generated");
    }

    @Test
    void gracefulShutdownDeliversAResultThatArrivesWithinTheTimeout() throws Exception {
        context.getShutdownStrategy().setTimeout(20);
        CompletableFuture<Exchange> reply = send(ExchangePattern.InOut);
        engine.awaitRequests(1);
        later(500, engine::finishAll);

        context.stop();

        Exchange out = reply.get(20, TimeUnit.SECONDS);
        assertThat(out.getException()).isNull();
        assertThat(out.getMessage().getBody(String.class)).isEqualTo("generated");
        assertThat(engine.cancelled).hasValue(0);
    }

    @Test
    void gracefulShutdownPastTheTimeoutCompletesAnInOnlyExchange() throws Exception {
        context.getShutdownStrategy().setTimeout(1);
        CompletableFuture<Exchange> sent = send(ExchangePattern.InOnly);
        engine.awaitRequests(1);

        context.stop();
        engine.finishAll();

        Exchange out = sent.get(20, TimeUnit.SECONDS);
        // Completed, never dropped: by the producer's stop (Phi4ExchangeException), or, when Camel's await manager
        // stops first, by Camel releasing this test's blocked synchronous caller (RejectedExecutionException). Which
        // comes first is a race inside Camel's shutdown; either way the generation was cancelled by the producer.
        assertThat(out.getException()).isInstanceOfAny(Phi4ExchangeException.class, RejectedExecutionException.class);
        assertThat(engine.cancelled).hasValue(1);
    }
}

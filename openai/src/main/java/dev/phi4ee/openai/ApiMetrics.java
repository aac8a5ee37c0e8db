package dev.phi4ee.openai;

import dev.phi4ee.core.api.EngineStats;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.TokenListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * The API's meters, measured at the HTTP layer (from the moment a request arrives, so parsing, media decoding and
 * queueing count): chat completions by outcome, rejections by status, prompt and generated tokens, time to first
 * token, latency, decode speed, and generations in flight. Names follow Micrometer's dotted convention; Prometheus
 * sees e.g. {@code phi4_requests_total{outcome="stop"}} and {@code phi4_time_to_first_token_seconds_bucket}.
 *
 * <p>Given the engine's holder, the engine's own state is read at each scrape ({@link Phi4Engine#stats()}):
 * {@code phi4.queue.depth} (requests waiting for a slot), {@code phi4.batch.running} (the running batch size) and
 * {@code phi4.batch.free.slots}; NaN while no engine is open. {@code phi4.requests.active} counts this API's own
 * accepted, unfinished generations (queued plus running), whoever else shares the engine.
 */
public final class ApiMetrics {
    private final MeterRegistry registry;
    private final Counter promptTokens;
    private final Counter generatedTokens;
    private final Timer timeToFirstToken;
    private final Timer latency;
    private final DistributionSummary tokensPerSecond;
    private final AtomicInteger active = new AtomicInteger();

    public ApiMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.promptTokens = Counter.builder("phi4.tokens")
                .tag("kind", "prompt")
                .description("prompt tokens of finished chat completions (media placeholders included)")
                .register(registry);
        this.generatedTokens = Counter.builder("phi4.tokens")
                .tag("kind", "generated")
                .description("generated tokens of finished chat completions")
                .register(registry);
        this.timeToFirstToken = Timer.builder("phi4.time.to.first.token")
                .description("from request arrival to the first generated text")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
        this.latency = Timer.builder("phi4.request.latency")
                .description("from request arrival to the end of the generation")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
        this.tokensPerSecond = DistributionSummary.builder("phi4.generation.tokens.per.second")
                .description("decode speed of each finished generation, as the engine measured it")
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0)
                .maximumExpectedValue(100_000.0)
                .register(registry);
        registry.gauge("phi4.requests.active", active);
    }

    /** The API's meters, and gauges of the engine's queue and batch read through {@code engines} at each scrape. */
    public ApiMetrics(MeterRegistry registry, EngineHolder engines) {
        this(registry);
        engineGauge(
                "phi4.queue.depth",
                "requests accepted by the engine, waiting for a batch slot",
                engines,
                s -> s.queuedRequests());
        engineGauge("phi4.batch.running", "requests in the engine's running batch", engines, s -> s.runningRequests());
        engineGauge("phi4.batch.free.slots", "batch slots free for a queued request", engines, s -> s.freeSlots());
    }

    private void engineGauge(
            String name, String description, EngineHolder engines, ToDoubleFunction<EngineStats> value) {
        Gauge.builder(name, engines, h -> {
                    Phi4Engine engine = h.current();
                    return engine == null ? Double.NaN : value.applyAsDouble(engine.stats());
                })
                .description(description)
                .register(registry);
    }

    /** Meters that go nowhere (a registry with no backend), for hosts that do not export metrics. */
    public static ApiMetrics none() {
        return new ApiMetrics(new CompositeMeterRegistry());
    }

    /**
     * Wraps a generation's listener to see its first text; {@link Tracked#accepted} then meters the generation's end.
     *
     * @param startNanos when the request arrived ({@link System#nanoTime()})
     */
    Tracked track(long startNanos, TokenListener listener) {
        return new Tracked(startNanos, listener);
    }

    /**
     * A request that failed: refused before the engine accepted it (bad input, full queue, not ready, too large) or
     * failed while running. Client-side and availability failures count as {@code rejected}, the rest as
     * {@code error}.
     */
    void failed(ApiException e) {
        if (e.status() >= 500 && e.status() != 503) {
            outcome("error");
        } else {
            outcome("rejected");
            Counter.builder("phi4.requests.rejected")
                    .description("requests refused, by HTTP status and OpenAI error code")
                    .tag("status", Integer.toString(e.status()))
                    .tag("code", e.code() == null ? "none" : e.code())
                    .register(registry)
                    .increment();
        }
    }

    private void outcome(String outcome) {
        Counter.builder("phi4.requests")
                .description("chat completions by outcome: the finish reason, rejected or error")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    /** Notes the first text of a generation for its time to first token, then measures the end. */
    final class Tracked implements TokenListener {
        private final long startNanos;
        private final TokenListener delegate;
        private volatile long firstTextNanos;

        private Tracked(long startNanos, TokenListener delegate) {
            this.startNanos = startNanos;
            this.delegate = delegate;
        }

        @Override
        public void onText(String delta) {
            if (firstTextNanos == 0) {
                firstTextNanos = System.nanoTime();
            }
            delegate.onText(delta);
        }

        @Override
        public void onComplete(GenerationResult result) {
            delegate.onComplete(result);
        }

        @Override
        public void onError(Throwable error) {
            delegate.onError(error);
        }

        /** The engine took the generation: it is in flight until its result completes, normally or not. */
        void accepted(GenerationHandle handle) {
            active.incrementAndGet();
            handle.result().whenComplete(this::finished);
        }

        private void finished(GenerationResult result, Throwable error) {
            long end = System.nanoTime();
            active.decrementAndGet();
            if (error != null) {
                failed(ErrorMapping.map(error));
                return;
            }
            outcome(result.finishReason().name().toLowerCase(Locale.ROOT));
            promptTokens.increment(result.usage().promptTokens());
            generatedTokens.increment(result.usage().generatedTokens());
            latency.record(end - startNanos, TimeUnit.NANOSECONDS);
            long first = firstTextNanos;
            if (first != 0) {
                timeToFirstToken.record(first - startNanos, TimeUnit.NANOSECONDS);
            }
            if (result.timings() != null && result.timings().tokensPerSecond() > 0) {
                tokensPerSecond.record(result.timings().tokensPerSecond());
            }
        }
    }
}

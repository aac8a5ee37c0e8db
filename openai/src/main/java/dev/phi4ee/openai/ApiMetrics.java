package dev.phi4ee.openai;

import dev.phi4ee.core.api.EngineStats;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.TokenListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
    private static final String TTFT = "phi4.time.to.first.token";
    private static final String LATENCY = "phi4.request.latency";
    private static final String TOKENS_PER_SECOND = "phi4.generation.tokens.per.second";
    private static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry("phi4.tokens", "tokens of finished chat completions (prompt: media placeholders included)"),
            Map.entry(TTFT, "from request arrival to the first generated text"),
            Map.entry(LATENCY, "from request arrival to the end of the generation"),
            Map.entry(TOKENS_PER_SECOND, "decode speed of each finished generation, as the engine measured it"),
            Map.entry("phi4.requests", "chat completions by outcome: the finish reason, rejected or error"),
            Map.entry("phi4.requests.rejected", "requests refused, by HTTP status and OpenAI error code"),
            Map.entry("phi4.requests.active", "this API's accepted, unfinished generations"),
            Map.entry("phi4.queue.depth", "requests accepted by the engine, waiting for a batch slot"),
            Map.entry("phi4.batch.running", "requests in the engine's running batch"),
            Map.entry("phi4.batch.free.slots", "batch slots free for a queued request"));

    private final MeterRegistry registry;
    private final Counter promptTokens;
    private final Counter generatedTokens;
    private final Timer timeToFirstToken;
    private final Timer latency;
    private final DistributionSummary tokensPerSecond;
    private final AtomicInteger active = new AtomicInteger();

    /**
     * Registers by name and tags only ({@code registry.counter(name, tags)} and the like): WildFly's per-deployment
     * registry exports only meters made that way, not those of {@code Counter.builder(..).register(registry)}.
     * Descriptions and histograms come from {@link #conventions()}, which a host adds to a registry it owns.
     */
    public ApiMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.promptTokens = registry.counter("phi4.tokens", List.of(Tag.of("kind", "prompt")));
        this.generatedTokens = registry.counter("phi4.tokens", List.of(Tag.of("kind", "generated")));
        this.timeToFirstToken = registry.timer(TTFT, List.of());
        this.latency = registry.timer(LATENCY, List.of());
        this.tokensPerSecond = registry.summary(TOKENS_PER_SECOND, List.of());
        registry.gauge("phi4.requests.active", List.<Tag>of(), active, AtomicInteger::get);
    }

    /** The API's meters, and gauges of the engine's queue and batch read through {@code engines} at each scrape. */
    public ApiMetrics(MeterRegistry registry, EngineHolder engines) {
        this(registry);
        engineGauge("phi4.queue.depth", engines, s -> s.queuedRequests());
        engineGauge("phi4.batch.running", engines, s -> s.runningRequests());
        engineGauge("phi4.batch.free.slots", engines, s -> s.freeSlots());
    }

    private void engineGauge(String name, EngineHolder engines, ToDoubleFunction<EngineStats> value) {
        registry.gauge(name, List.<Tag>of(), engines, h -> {
            Phi4Engine engine = h.current();
            return engine == null ? Double.NaN : value.applyAsDouble(engine.stats());
        });
    }

    /**
     * Descriptions of the API's meters and histograms (with expected ranges) for time to first token, latency and
     * decode speed. Add it to a registry before the meters are made: {@code registry.config().meterFilter(..)}.
     */
    public static MeterFilter conventions() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                String description = DESCRIPTIONS.get(id.getName());
                if (description == null || id.getDescription() != null) {
                    return id;
                }
                return new Meter.Id(id.getName(), Tags.of(id.getTags()), id.getBaseUnit(), description, id.getType());
            }

            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                DistributionStatisticConfig histogram =
                        switch (id.getName()) {
                            case TTFT -> timerHistogram(Duration.ofMinutes(5));
                            case LATENCY -> timerHistogram(Duration.ofMinutes(10));
                            case TOKENS_PER_SECOND ->
                                DistributionStatisticConfig.builder()
                                        .percentilesHistogram(true)
                                        .minimumExpectedValue(1.0)
                                        .maximumExpectedValue(100_000.0)
                                        .build();
                            default -> null;
                        };
                return histogram == null ? config : histogram.merge(config);
            }
        };
    }

    /** Timers record nanoseconds: their expected range is given in nanoseconds. */
    private static DistributionStatisticConfig timerHistogram(Duration max) {
        return DistributionStatisticConfig.builder()
                .percentilesHistogram(true)
                .minimumExpectedValue((double) Duration.ofMillis(1).toNanos())
                .maximumExpectedValue((double) max.toNanos())
                .build();
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
            registry.counter(
                            "phi4.requests.rejected",
                            List.of(
                                    Tag.of("status", Integer.toString(e.status())),
                                    Tag.of("code", e.code() == null ? "none" : e.code())))
                    .increment();
        }
    }

    private void outcome(String outcome) {
        registry.counter("phi4.requests", List.of(Tag.of("outcome", outcome))).increment();
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

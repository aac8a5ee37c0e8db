package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.ContextLengthExceededException;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.api.TokenListener;
import dev.phi4ee.core.generate.kv.MemoryProbe;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.Placement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OnnxPhi4EngineTest {
    static OnnxPhi4Engine open(EngineOptions options, Function<GenerationRequest, TokenChooser> choosers) {
        return OnnxPhi4Engine.open(
                ModelDirectory.open(KitModels.dir(KitModels.spec().build())), options, new FakeTextCodec(), choosers);
    }

    static EngineOptions.Builder options() {
        return EngineOptions.builder().executionProvider("cpu").intraOpThreads(1);
    }

    static GenerationRequest request(String text, int maxNew) {
        return GenerationRequest.builder()
                .user(text)
                .options(GenerationOptions.builder().maxNewTokens(maxNew).build())
                .build();
    }

    @Test
    void generatesGreedilyUntilMaxNewTokensAndStreamsTheSameText() {
        try (OnnxPhi4Engine engine = open(options().build(), r -> OnnxPhi4Engine.greedy())) {
            List<String> deltas = new CopyOnWriteArrayList<>();
            GenerationResult r =
                    engine.stream(request("hello", 12), deltas::add).result().join();
            assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(r.tokenIds()).hasSize(12);
            assertThat(String.join("", deltas)).isEqualTo(r.text());
            assertThat(r.usage().promptTokens())
                    .isEqualTo(
                            new FakeTextCodec().encodeChat(request("hello", 1).messages()).length);
            assertThat(r.usage().generatedTokens()).isEqualTo(12);
            assertThat(r.timings().timeToFirstToken()).isPositive();
            assertThat(r.timings().tokensPerSecond()).isPositive();
            assertThat(engine.info().executionProvider()).isEqualTo("cpu");
            // Same request again: same tokens (the cache slot was reset).
            assertThat(engine.generate(request("hello", 12)).tokenIds()).isEqualTo(r.tokenIds());
        }
    }

    @Test
    void bothCacheModesGiveTheSameTokensThroughTheEngine() {
        List<Integer> shared;
        try (OnnxPhi4Engine e =
                open(options().kvCacheMode(KvCacheMode.SHARED_BUFFER).build(), r -> OnnxPhi4Engine.greedy())) {
            assertThat(e.sharedBuffer()).isTrue();
            shared = e.generate(request("compare modes", 30)).tokenIds();
        }
        try (OnnxPhi4Engine e =
                open(options().kvCacheMode(KvCacheMode.GROWING).build(), r -> OnnxPhi4Engine.greedy())) {
            assertThat(e.generate(request("compare modes", 30)).tokenIds()).isEqualTo(shared);
        }
    }

    @Test
    void stopsAtAnEosIdFromTheConfigWithoutEmittingIt() {
        TokenChooser eosAtThird = (logits, n) -> n == 3 ? 200020 : 500 + n;
        try (OnnxPhi4Engine engine = open(options().build(), r -> eosAtThird)) {
            GenerationResult r = engine.generate(request("stop", 50));
            assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(r.tokenIds()).containsExactly(500, 501, 502);
            assertThat(r.text()).isEqualTo("<500><501><502>");
        }
    }

    @Test
    void minNewTokensMasksEos() {
        // The chooser would pick eos from step 5 on, but the engine masks eos ids until 8 tokens exist.
        TokenChooser eosWhenAllowed =
                (logits, n) -> n >= 5 && logits[200020] != Float.NEGATIVE_INFINITY ? 200020 : 600 + n;
        try (OnnxPhi4Engine engine = open(options().build(), r -> eosWhenAllowed)) {
            GenerationRequest req = GenerationRequest.builder()
                    .user("x")
                    .options(GenerationOptions.builder()
                            .maxNewTokens(20)
                            .minNewTokens(8)
                            .build())
                    .build();
            GenerationResult r = engine.generate(req);
            assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(r.tokenIds()).hasSize(8);
        }
    }

    @Test
    void growingModeAppliesTheSameStopRulesAsBatching() {
        // Both modes drive the same per-request state (BatchRow): end ids, min/max new tokens and stop strings must
        // end a request identically whether it runs alone or in a batch.
        TokenChooser eosFromFifth =
                (logits, n) -> n >= 5 && logits[200020] != Float.NEGATIVE_INFINITY ? 200020 : 500 + n;
        List<GenerationRequest> requests = List.of(
                withOptions(GenerationOptions.builder().maxNewTokens(20)),
                withOptions(GenerationOptions.builder().maxNewTokens(20).minNewTokens(8)),
                withOptions(GenerationOptions.builder().maxNewTokens(3)),
                withOptions(GenerationOptions.builder().maxNewTokens(20).stopSequences(List.of("<503>"))));
        List<GenerationResult> batched = new ArrayList<>();
        try (OnnxPhi4Engine e =
                open(options().kvCacheMode(KvCacheMode.SHARED_BUFFER).build(), r -> eosFromFifth)) {
            requests.forEach(r -> batched.add(e.generate(r)));
        }
        assertThat(batched.get(0).tokenIds()).containsExactly(500, 501, 502, 503, 504);
        assertThat(batched.get(1).tokenIds()).hasSize(8);
        assertThat(batched.get(2).finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(batched.get(3).text()).isEqualTo("<500><501><502>");
        try (OnnxPhi4Engine e = open(options().kvCacheMode(KvCacheMode.GROWING).build(), r -> eosFromFifth)) {
            assertThat(e.sharedBuffer()).isFalse();
            for (int i = 0; i < requests.size(); i++) {
                GenerationResult alone = e.generate(requests.get(i));
                assertThat(alone.text()).isEqualTo(batched.get(i).text());
                assertThat(alone.finishReason()).isEqualTo(batched.get(i).finishReason());
                assertThat(alone.tokenIds()).isEqualTo(batched.get(i).tokenIds());
            }
        }
    }

    private static GenerationRequest withOptions(GenerationOptions.Builder options) {
        return GenerationRequest.builder()
                .user("rules")
                .options(options.build())
                .build();
    }

    @Test
    void contextWindowIsCheckedBeforeRunning() {
        try (OnnxPhi4Engine engine = open(options().maxLength(64).build(), r -> OnnxPhi4Engine.greedy())) {
            assertThatThrownBy(() -> engine.stream(request("a long enough prompt", 60), d -> {}))
                    .isInstanceOf(ContextLengthExceededException.class)
                    .hasMessageContaining("+ maxNewTokens 60")
                    .hasMessageContaining("exceeds the context window max_length 64");
        }
    }

    @Test
    void cancellationStopsARunningRequestAndFreesTheSlot() throws Exception {
        try (OnnxPhi4Engine engine = open(options().build(), r -> OnnxPhi4Engine.greedy())) {
            CompletableFuture<GenerationHandle> handle = new CompletableFuture<>();
            List<String> seen = new CopyOnWriteArrayList<>();
            TokenListener cancelAfterThree = delta -> {
                seen.add(delta);
                if (seen.size() == 3) {
                    handle.join().cancel();
                }
            };
            handle.complete(engine.stream(request("cancel me", 100), cancelAfterThree));
            GenerationResult r = handle.get().result().get(30, TimeUnit.SECONDS);
            assertThat(r.finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(r.tokenIds()).hasSize(3);
            // the slot is free: the next request runs normally
            assertThat(engine.generate(request("next", 4)).finishReason()).isEqualTo(FinishReason.LENGTH);
        }
    }

    static OnnxPhi4Engine open(
            EngineOptions options, Function<GenerationRequest, TokenChooser> choosers, DeadlineClock clock) {
        return OnnxPhi4Engine.open(
                ModelDirectory.open(KitModels.dir(KitModels.spec().build())),
                options,
                new FakeTextCodec(),
                choosers,
                Placement.Kind.AUTO,
                MemoryProbe.system(),
                clock);
    }

    /**
     * The deadline clock moves 20 ms before each token is chosen, so a 150 ms deadline passes while the 8th token
     * (index 7, clock at 160 ms) is chosen: that token is still delivered and the request stops before the next step.
     */
    @ParameterizedTest
    @EnumSource(
            value = KvCacheMode.class,
            names = {"SHARED_BUFFER", "GROWING"})
    void deadlineEndsTheRequestAtTheStepItPasses(KvCacheMode mode) throws Exception {
        ManualDeadlineClock clock = new ManualDeadlineClock();
        TokenChooser twentyMillisPerToken = (logits, generated) -> {
            clock.advance(Duration.ofMillis(20));
            return TokenChooser.argmax(logits);
        };
        try (OnnxPhi4Engine engine = open(options().kvCacheMode(mode).build(), r -> twentyMillisPerToken, clock)) {
            GenerationRequest req = GenerationRequest.builder()
                    .user("slow")
                    .options(GenerationOptions.builder()
                            .maxNewTokens(200)
                            .timeout(Duration.ofMillis(150))
                            .build())
                    .build();
            GenerationResult r = engine.stream(req, d -> {}).result().get(30, TimeUnit.SECONDS);
            assertThat(r.finishReason()).isEqualTo(FinishReason.DEADLINE);
            assertThat(r.tokenIds()).hasSize(8);
        }
    }

    /** A request whose deadline passes while it waits leaves the queue at once, before the engine is free. */
    @ParameterizedTest
    @EnumSource(
            value = KvCacheMode.class,
            names = {"SHARED_BUFFER", "GROWING"})
    void deadlinePassingInTheQueueCompletesTheRequestAtOnce(KvCacheMode mode) throws Exception {
        ManualDeadlineClock clock = new ManualDeadlineClock();
        EngineOptions opts = options().kvCacheMode(mode).maxBatchSize(1).build();
        try (OnnxPhi4Engine engine = open(opts, r -> OnnxPhi4Engine.greedy(), clock)) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            GenerationHandle running = engine.stream(request("block", 3), d -> {
                started.countDown();
                await(release);
            });
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            GenerationHandle queued = engine.stream(
                    GenerationRequest.builder()
                            .user("queued")
                            .options(GenerationOptions.builder()
                                    .maxNewTokens(3)
                                    .timeout(Duration.ofMillis(100))
                                    .build())
                            .build(),
                    d -> {});
            clock.advance(Duration.ofMillis(99));
            assertThat(queued.result()).isNotDone();
            clock.advance(Duration.ofMillis(2));
            GenerationResult q = queued.result().get(5, TimeUnit.SECONDS); // while the engine is still busy
            assertThat(q.finishReason()).isEqualTo(FinishReason.DEADLINE);
            assertThat(q.tokenIds()).isEmpty();
            release.countDown();
            assertThat(running.result().get(30, TimeUnit.SECONDS).finishReason())
                    .isEqualTo(FinishReason.LENGTH);
        }
    }

    @Test
    void queuedRequestsAreRejectedWhenFullAndCancelledOnesLeaveAtOnce() throws Exception {
        try (OnnxPhi4Engine engine = open(options().maxQueuedRequests(1).build(), r -> OnnxPhi4Engine.greedy())) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            GenerationHandle running = engine.stream(request("block", 3), d -> {
                started.countDown();
                await(release);
            });
            started.await(30, TimeUnit.SECONDS);
            GenerationHandle queued = engine.stream(request("queued", 3), d -> {});
            assertThatThrownBy(() -> engine.stream(request("one too many", 3), d -> {}))
                    .isInstanceOf(EngineOverloadedException.class)
                    .hasMessageContaining("queue is full");
            queued.cancel();
            GenerationResult q = queued.result().get(5, TimeUnit.SECONDS); // completes while the engine is busy
            assertThat(q.finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(q.tokenIds()).isEmpty();
            release.countDown();
            assertThat(running.result().get(30, TimeUnit.SECONDS).finishReason())
                    .isEqualTo(FinishReason.LENGTH);
        }
    }

    @Test
    void publisherDeliversTheGeneratedText() throws Exception {
        try (OnnxPhi4Engine engine = open(options().build(), r -> OnnxPhi4Engine.greedy())) {
            String expected = engine.generate(request("publish", 10)).text();
            List<String> got = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            engine.publish(request("publish", 10)).subscribe(new Flow.Subscriber<>() {
                Flow.Subscription s;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    this.s = s;
                    s.request(1);
                }

                @Override
                public void onNext(String item) {
                    got.add(item);
                    s.request(1);
                }

                @Override
                public void onError(Throwable t) {
                    done.countDown();
                }

                @Override
                public void onComplete() {
                    done.countDown();
                }
            });
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(String.join("", got)).isEqualTo(expected);
        }
    }

    /**
     * The order the README promises: every onText, then onComplete, both on the engine thread, and only after
     * onComplete returned does the future complete, on a result thread. The first onText waits until the test has
     * chained a stage on the future, so a future completed first would run that stage before onComplete.
     */
    @ParameterizedTest
    @EnumSource(
            value = KvCacheMode.class,
            names = {"SHARED_BUFFER", "GROWING"})
    void onCompleteReturnsBeforeTheFutureCompletesOnAResultThread(KvCacheMode mode) throws Exception {
        try (OnnxPhi4Engine engine = open(options().kvCacheMode(mode).build(), r -> OnnxPhi4Engine.greedy())) {
            CountDownLatch chained = new CountDownLatch(1);
            List<String> events = new CopyOnWriteArrayList<>();
            List<Thread> listenerThreads = new CopyOnWriteArrayList<>();
            TokenListener listener = new TokenListener() {
                @Override
                public void onText(String delta) {
                    await(chained);
                    listenerThreads.add(Thread.currentThread());
                    events.add("text");
                }

                @Override
                public void onComplete(GenerationResult result) {
                    listenerThreads.add(Thread.currentThread());
                    events.add("complete");
                }
            };
            GenerationHandle handle = engine.stream(request("order", 5), listener);
            CompletableFuture<Thread> completedOn = handle.result().thenApply(r -> {
                events.add("future");
                return Thread.currentThread();
            });
            chained.countDown();

            Thread resultThread = completedOn.get(30, TimeUnit.SECONDS);
            assertThat(events).startsWith("text").endsWith("complete", "future");
            assertThat(events.subList(0, events.size() - 2)).containsOnly("text");
            assertThat(listenerThreads).containsOnly(listenerThreads.getFirst());
            assertThat(resultThread).isNotSameAs(listenerThreads.getFirst());
            assertThat(resultThread.getName()).startsWith("phi4-result-");
        }
    }

    /** A request cancelled while it waits is completed by cancel() itself, on the caller's thread, listener first. */
    @Test
    void cancellingAQueuedRequestCallsOnCompleteInsideCancelBeforeTheFuture() throws Exception {
        try (OnnxPhi4Engine engine = open(options().maxBatchSize(1).build(), r -> OnnxPhi4Engine.greedy())) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            GenerationHandle running = engine.stream(request("block", 3), d -> {
                started.countDown();
                await(release);
            });
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            List<String> events = new CopyOnWriteArrayList<>();
            List<Thread> completedOn = new CopyOnWriteArrayList<>();
            GenerationHandle queued = engine.stream(request("queued", 3), new TokenListener() {
                @Override
                public void onText(String delta) {
                    events.add("text");
                }

                @Override
                public void onComplete(GenerationResult result) {
                    completedOn.add(Thread.currentThread());
                    events.add("complete:" + result.finishReason());
                }
            });
            CompletableFuture<GenerationResult> chained = queued.result().thenApply(r -> {
                events.add("future");
                return r;
            });

            queued.cancel();

            assertThat(completedOn).containsExactly(Thread.currentThread());
            assertThat(chained.get(5, TimeUnit.SECONDS).finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(events).containsExactly("complete:CANCELLED", "future");
            release.countDown();
            assertThat(running.result().get(30, TimeUnit.SECONDS).finishReason())
                    .isEqualTo(FinishReason.LENGTH);
        }
    }

    @Test
    void closedEngineRejectsRequests() {
        OnnxPhi4Engine engine = open(options().build(), r -> OnnxPhi4Engine.greedy());
        engine.close();
        assertThatThrownBy(() -> engine.generate(request("late", 2))).hasMessageContaining("closed");
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.EngineClosedException;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.TokenListener;
import dev.phi4ee.core.generate.kv.MemoryProbe;
import dev.phi4ee.core.generate.prefix.PrefillChunks;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Chunked prefill ({@code prefillChunkTokens}, docs/decisions/chunked-prefill.md) on the kit model (window 2048,
 * LongRoPE switch at 1024; {@link FakeTextCodec}: one id per character + 3). Long prompts are submitted from the
 * engine thread itself, by the listener of a running request at its first token, so they are certain to be admitted
 * while others decode; their tokens must be those they get alone, whatever the budget.
 */
class ChunkedPrefillTest {
    static final TestModelSpec SPEC =
            KitModels.spec().maxLength(2048).originalMaxPositionEmbeddings(1024).build();

    /** Decoding rows: they generate 40 tokens each, end-of-sequence masked. */
    static final List<String> RUNNERS = List.of(text(20, 1), text(30, 2), text(40, 3));

    /**
     * Admitted while the runners decode: 1503 ids (long factors from the start; runs of 1025 + 478), 1003 ids that
     * cross the switch while generating (the whole sequence re-runs), 603 ids (512 + 91).
     */
    static final List<GenerationRequest> LONG =
            List.of(request(text(1500, 4), 6, 0), request(text(1000, 5), 30, 0), request(text(600, 6), 8, 0));

    static List<List<Integer>> alone;

    static String text(int chars, int seed) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < chars; i++) {
            s.append((char) ('a' + (i * 7 + seed * 5 + i / 11) % 26)); // seeds 1..9 start apart
        }
        return s.toString();
    }

    static GenerationRequest request(String user, int maxNew, int minNew) {
        return request(user, maxNew, minNew, null);
    }

    static GenerationRequest request(String user, int maxNew, int minNew, Duration timeout) {
        return GenerationRequest.builder()
                .user(user)
                .options(GenerationOptions.builder()
                        .maxNewTokens(maxNew)
                        .minNewTokens(minNew)
                        .timeout(timeout)
                        .build())
                .build();
    }

    static EngineOptions.Builder options(int maxBatch, int chunkTokens) {
        return EngineOptions.builder()
                .executionProvider("cpu")
                .intraOpThreads(1)
                .maxBatchSize(maxBatch)
                .prefixCacheBytes(0)
                .prefillChunkTokens(chunkTokens);
    }

    static OnnxPhi4Engine open(EngineOptions options) {
        return open(options, DeadlineClock.system(options.threadFactory()));
    }

    static OnnxPhi4Engine open(EngineOptions options, DeadlineClock clock) {
        return OnnxPhi4Engine.open(
                ModelDirectory.open(KitModels.dir(SPEC)),
                options,
                new FakeTextCodec(),
                r -> OnnxPhi4Engine.greedy(),
                Placement.Kind.AUTO,
                MemoryProbe.system(),
                clock);
    }

    /** Every runner and long request alone, prefilled whole (the reference). */
    @BeforeAll
    static void runAlone() {
        alone = new ArrayList<>();
        try (OnnxPhi4Engine engine = open(options(1, 0).build())) {
            for (String r : RUNNERS) {
                alone.add(engine.generate(request(r, 40, 40)).tokenIds());
            }
            for (GenerationRequest r : LONG) {
                alone.add(engine.generate(r).tokenIds());
            }
        }
    }

    /**
     * Streams the runners; at the first runner's token {@code at}, {@code hook} runs on the engine thread (between
     * that decode step and the prefill runs of the same step).
     */
    static List<GenerationHandle> runners(OnnxPhi4Engine engine, int at, Runnable hook) {
        List<GenerationHandle> handles = new ArrayList<>();
        AtomicInteger tokens = new AtomicInteger();
        for (int i = 0; i < RUNNERS.size(); i++) {
            TokenListener listener = i > 0
                    ? d -> {}
                    : d -> {
                        if (tokens.incrementAndGet() == at) {
                            hook.run();
                        }
                    };
            handles.add(engine.stream(request(RUNNERS.get(i), 40, 40), listener));
        }
        return handles;
    }

    @ParameterizedTest
    // 0: whole at admission; smaller than one run, not a multiple of it, one run, more, everything in one step
    @ValueSource(ints = {0, 100, 300, 512, 700, 1_000_000})
    void requestsAdmittedWhileOthersDecodeGetTheirAloneTokensWhateverTheBudget(int budget) throws Exception {
        try (OnnxPhi4Engine engine = open(options(6, budget).build())) {
            List<CompletableFuture<GenerationResult>> longResults = new CopyOnWriteArrayList<>();
            List<GenerationHandle> runners = runners(engine, 1, () -> {
                for (GenerationRequest r : LONG) {
                    longResults.add(engine.stream(r, d -> {}).result());
                }
            });
            List<List<Integer>> got = new ArrayList<>();
            for (GenerationHandle h : runners) {
                got.add(h.result().get(120, TimeUnit.SECONDS).tokenIds());
            }
            for (CompletableFuture<GenerationResult> f : longResults) {
                got.add(f.get(120, TimeUnit.SECONDS).tokenIds());
            }
            assertThat(got).isEqualTo(alone);
            ContinuousBatchScheduler b = engine.batcher();
            assertThat(b.crossings())
                    .as("the 1003-id prompt crossed the switch while generating")
                    .isPositive();
            if (budget == 0 || budget >= 1503 + 1003 + 603) {
                assertThat(b.stepsDuringPrefill()).as("every prompt ran whole").isZero();
            } else {
                // Every long prompt has two runs, and a step runs at most one of those within 1025: the runners decode
                // between the runs of each.
                assertThat(b.stepsDuringPrefill())
                        .as("decode steps of the runners between the runs of a long prompt")
                        .isGreaterThanOrEqualTo(budget <= 512 ? 3 : 1);
            }
            assertThat(idle(engine)).isTrue();
        }
    }

    /** Whether the engine reports no running request within a few seconds (it publishes the count between steps). */
    static boolean idle(OnnxPhi4Engine engine) throws InterruptedException {
        for (int i = 0; i < 1000 && engine.stats().runningRequests() > 0; i++) {
            Thread.sleep(10);
        }
        return engine.stats().runningRequests() == 0;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 40, 512})
    void prefixReuseWithChunkedPrefillGivesTheTokensOfAnEngineWithoutCache(int budget) throws Exception {
        String shared = text(700, 7);
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            requests.add(request(shared + text(5 + i, 20 + i), 6, 0));
        }
        List<List<Integer>> expected = new ArrayList<>();
        try (OnnxPhi4Engine cold = open(options(1, 0).build())) {
            for (GenerationRequest r : requests) {
                expected.add(cold.generate(r).tokenIds());
            }
        }
        try (OnnxPhi4Engine engine = open(options(6, budget)
                .prefixCacheBytes(64L << 20)
                .prefixBlockTokens(16)
                .build())) {
            List<CompletableFuture<GenerationResult>> results = new CopyOnWriteArrayList<>();
            List<GenerationHandle> runners = runners(engine, 1, () -> {
                for (GenerationRequest r : requests) {
                    results.add(engine.stream(r, d -> {}).result());
                }
            });
            for (int i = 0; i < runners.size(); i++) {
                assertThat(runners.get(i).result().get(120, TimeUnit.SECONDS).tokenIds())
                        .isEqualTo(alone.get(i));
            }
            for (int i = 0; i < requests.size(); i++) {
                assertThat(results.get(i).get(120, TimeUnit.SECONDS).tokenIds())
                        .as("request %d", i)
                        .isEqualTo(expected.get(i));
            }
            assertThat(engine.prefixCache().hits())
                    .as("admitted together, each begins after the one before stored its blocks")
                    .isEqualTo(requests.size() - 1);
            assertThat(engine.prefixCache().reusedTokens()).isGreaterThanOrEqualTo(3L * (700 / 16) * 16);
        }
    }

    /** The long request is submitted at the runner's token 1 and aborted at its token 3: one prefill run done. */
    enum Abort {
        CANCEL,
        DEADLINE
    }

    @ParameterizedTest
    @ValueSource(strings = {"CANCEL", "DEADLINE"})
    void aPrefillingRowCancelledOrPastItsDeadlineLeavesItsSlotAndItsTokensInFlight(Abort abort) throws Exception {
        ManualDeadlineClock clock = new ManualDeadlineClock();
        GenerationRequest longRequest = request(text(900, 8), 10, 0, Duration.ofSeconds(100)); // runs of 16
        long bound = 903 + 10 + 23 + 40; // the long request and the runner
        AtomicReference<GenerationHandle> prefilling = new AtomicReference<>();
        AtomicInteger longTokens = new AtomicInteger();
        try (OnnxPhi4Engine engine = open(
                options(4, 16)
                        .prefixCacheBytes(1L << 20) // aligned runs of 16 positions: 57 runs, one per step
                        .prefixBlockTokens(16)
                        .maxTokensInFlight(bound)
                        .build(),
                clock)) {
            AtomicInteger tokens = new AtomicInteger();
            GenerationHandle runner = engine.stream(request(RUNNERS.get(0), 40, 40), d -> {
                int n = tokens.incrementAndGet();
                if (n == 1) {
                    prefilling.set(engine.stream(longRequest, t -> longTokens.incrementAndGet()));
                } else if (n == 3) {
                    if (abort == Abort.CANCEL) {
                        prefilling.get().cancel();
                    } else {
                        clock.advance(Duration.ofSeconds(101));
                    }
                }
            });
            assertThat(runner.result().get(120, TimeUnit.SECONDS).tokenIds()).isEqualTo(alone.get(0));
            GenerationResult aborted = prefilling.get().result().get(120, TimeUnit.SECONDS);
            assertThat(aborted.finishReason())
                    .isEqualTo(abort == Abort.CANCEL ? FinishReason.CANCELLED : FinishReason.DEADLINE);
            assertThat(aborted.tokenIds()).isEmpty();
            assertThat(longTokens).hasValue(0);
            assertThat(engine.decoderPositions())
                    .as("the runner's prompt and only part of the aborted one ran")
                    .isLessThan(23 + 903);
            assertThat(idle(engine)).isTrue();
            // The whole maxTokensInFlight is free again: a request of exactly that budget runs, in every slot.
            GenerationRequest again = request(text((int) bound - 3 - 10, 8), 10, 0);
            for (int i = 0; i < 4; i++) {
                assertThat(engine.generate(again).tokenIds()).hasSizeGreaterThan(0);
            }
        }
    }

    @Test
    void closingTheEngineMidPrefillFailsThePrefillingRequest() throws Exception {
        OnnxPhi4Engine engine = open(
                options(4, 16).prefixCacheBytes(1L << 20).prefixBlockTokens(16).build());
        AtomicReference<GenerationHandle> prefilling = new AtomicReference<>();
        CountDownLatch held = new CountDownLatch(1);
        AtomicInteger tokens = new AtomicInteger();
        GenerationHandle runner = engine.stream(request(RUNNERS.get(0), 40, 40), d -> {
            int n = tokens.incrementAndGet();
            if (n == 1) {
                prefilling.set(engine.stream(request(text(900, 9), 10, 0), t -> {}));
            } else if (n == 3) { // the long prompt ran one of its 57 runs: hold the engine thread until close
                held.countDown();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (!Thread.currentThread().isInterrupted() && System.nanoTime() < end) {
                    LockSupport.parkNanos(1_000_000);
                }
            }
        });
        assertThat(held.await(120, TimeUnit.SECONDS)).isTrue();
        engine.close();
        for (GenerationHandle h : List.of(runner, prefilling.get())) {
            assertThatThrownBy(() -> h.result().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(EngineClosedException.class);
        }
    }

    /**
     * The session's resumable prefill runs exactly the runs of {@link PrefillChunks} and ends on the logits of the
     * whole prefill, bit for bit, for the plain and the aligned runs, with a prompt on either side of the switch.
     */
    @ParameterizedTest
    @ValueSource(ints = {603, 1503})
    void theResumablePrefillRunsThePrefillChunksRunsAndEndsOnTheSameLogits(int n) {
        long[] prompt = new long[n];
        for (int i = 0; i < n; i++) {
            prompt[i] = 1000 + (i * 31 + i / 7) % 5000;
        }
        try (Phi4Graphs graphs = KitModels.open(SPEC);
                DecodingSession s = new DecodingSession(graphs, true, 2048, 1024)) {
            for (int block : new int[] {0, 16}) {
                PrefillChunks chunks = block == 0 ? PrefillChunks.of(512, 1024) : PrefillChunks.aligned(block, 1024);
                if (block > 0) {
                    s.alignPrefill(block);
                }
                float[] whole = s.prefill(prompt, null, null).toFloats();
                s.reset();
                List<Integer> runs = new ArrayList<>();
                s.beginPrefill(prompt, null, null, 0, rows -> {});
                while (s.nextPrefillRun() > 0) {
                    int next = s.nextPrefillRun();
                    int start = s.cachedLength();
                    assertThat(start + next).isEqualTo(chunks.end(start, n));
                    runs.add(next);
                    assertThat(s.prefilling()).isTrue();
                    s.runPrefillRun();
                    if (s.prefilling()) {
                        assertThat(s.lastLogits())
                                .as("an intermediate run's logits are not copied")
                                .isNull();
                    }
                }
                assertThat(s.prefilling()).isFalse();
                assertThat(s.cachedLength()).isEqualTo(n);
                assertThat(runs.stream().mapToInt(Integer::intValue).sum()).isEqualTo(n);
                assertThat(runs.size()).isGreaterThan(1);
                if (n > 1024) {
                    assertThat(runs.get(0))
                            .as("the first run of a long prompt ends past the switch")
                            .isGreaterThan(1024);
                }
                assertThat(s.lastLogits().toFloats()).isEqualTo(whole);
                s.reset();
            }
        }
    }
}

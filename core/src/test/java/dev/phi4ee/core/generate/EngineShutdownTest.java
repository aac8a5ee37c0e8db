package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.EngineClosedException;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.api.TokenListener;
import java.time.Duration;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Engine shutdown and result delivery on the kit model, in both scheduling modes: close while many threads submit
 * completes every accepted request; a caller's continuation that blocks does not hold up other requests' tokens.
 */
class EngineShutdownTest {

    private static OnnxPhi4Engine open(KvCacheMode mode) {
        return open(mode, EngineOptions.DAEMON_THREADS);
    }

    private static OnnxPhi4Engine open(KvCacheMode mode, ThreadFactory threads) {
        return ContinuousBatchingTest.open(
                KitModels.spec().build(),
                ContinuousBatchingTest.options()
                        .kvCacheMode(mode)
                        .maxBatchSize(4)
                        .threadFactory(threads)
                        .build());
    }

    private static GenerationRequest request(String text, int tokens) {
        return GenerationRequest.builder()
                .user(text)
                .options(GenerationOptions.builder()
                        .maxNewTokens(tokens)
                        .minNewTokens(tokens)
                        .build())
                .build();
    }

    /**
     * Close does not wait out the running requests, and returns because the engine thread ended, not because its
     * grace ran out. Asserted on outcomes and the thread's state, never on elapsed time: a marker request holds the
     * engine thread mid-generation (its listener) until close interrupts that thread, which close does right after
     * terminating the native calls; the marker, running with most of its tokens to go, must then fail with {@link
     * EngineClosedException}, and the engine thread must have ended when close returns.
     */
    @ParameterizedTest
    @EnumSource(
            value = KvCacheMode.class,
            names = {"SHARED_BUFFER", "GROWING"})
    void closeWhileThreadsSubmitCompletesEveryAcceptedRequest(KvCacheMode mode) throws Exception {
        Set<Thread> made = ConcurrentHashMap.newKeySet();
        OnnxPhi4Engine engine = open(mode, r -> {
            Thread t = EngineOptions.DAEMON_THREADS.newThread(r);
            made.add(t);
            return t;
        });
        Thread engineThread = made.stream()
                .filter(t -> t.getName().equals("phi4-engine"))
                .findFirst()
                .orElseThrow();
        CountDownLatch markerHeld = new CountDownLatch(1);
        AtomicInteger markerTokens = new AtomicInteger();
        GenerationHandle marker = engine.stream(request("marker", 30), delta -> {
            if (markerTokens.incrementAndGet() == 2) {
                markerHeld.countDown();
                holdUntilInterrupted(Duration.ofSeconds(120));
            }
        });
        Queue<GenerationHandle> accepted = new ConcurrentLinkedQueue<>();
        AtomicInteger unexpected = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] submitters = new Thread[6];
        for (int t = 0; t < submitters.length; t++) {
            int id = t;
            submitters[t] = Thread.ofPlatform().start(() -> {
                int n = 0;
                while (!stop.get()) {
                    try {
                        accepted.add(engine.stream(request("thread " + id + " request " + n++, 30), delta -> {}));
                    } catch (EngineClosedException | EngineOverloadedException expected) {
                        Thread.onSpinWait();
                    } catch (RuntimeException e) {
                        unexpected.incrementAndGet();
                    }
                }
            });
        }
        assertThat(markerHeld.await(60, TimeUnit.SECONDS)).isTrue();
        while (accepted.size() < submitters.length) { // some requests wait behind the marker when close begins
            Thread.onSpinWait();
        }
        long start = System.nanoTime();
        engine.close();
        boolean threadEnded = !engineThread.isAlive();
        System.out.printf(
                "%s: close returned after %d ms%n", mode, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        stop.set(true);
        for (Thread t : submitters) {
            t.join();
        }

        assertThat(unexpected).hasValue(0);
        assertThat(threadEnded)
                .as("close returned once the engine thread had ended, not after its grace")
                .isTrue();
        assertThatThrownBy(() -> marker.result().get(10, TimeUnit.SECONDS))
                .as("the request running at close fails rather than being waited out")
                .hasCauseInstanceOf(EngineClosedException.class);
        assertThat(markerTokens).as("the marker stopped at the token it held").hasValue(2);
        AtomicInteger closedFailures = new AtomicInteger();
        for (GenerationHandle h : accepted) {
            try {
                h.result().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(EngineClosedException.class);
                closedFailures.incrementAndGet();
            }
        }
        assertThat(closedFailures.get())
                .as("requests queued or running at close")
                .isPositive();
        assertThatThrownBy(() -> engine.generate(request("late", 2))).isInstanceOf(EngineClosedException.class);
    }

    /**
     * Blocks the calling (engine) thread until it is interrupted, as close does after terminating the native calls;
     * the interrupt stays set, as after any close. The bound only keeps a broken close from hanging the build.
     */
    private static void holdUntilInterrupted(Duration bound) {
        long end = System.nanoTime() + bound.toNanos();
        while (!Thread.currentThread().isInterrupted() && System.nanoTime() < end) {
            LockSupport.parkNanos(1_000_000);
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = KvCacheMode.class,
            names = {"SHARED_BUFFER", "GROWING"})
    void aBlockingContinuationDoesNotDelayOtherRequests(KvCacheMode mode) throws Exception {
        try (OnnxPhi4Engine engine = open(mode)) {
            CountDownLatch attached = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<String> continuationThread = new AtomicReference<>();
            AtomicBoolean continuationStarted = new AtomicBoolean();
            // The short request's own first token waits until its continuation is attached, so the continuation
            // certainly runs when the engine completes it (never on this thread).
            GenerationHandle shortOne = engine.stream(request("short", 2), new TokenListener() {
                @Override
                public void onText(String delta) {
                    await(attached);
                }
            });
            CompletableFuture<String> blocked = shortOne.result().thenApply(r -> {
                continuationThread.set(Thread.currentThread().getName());
                continuationStarted.set(true);
                await(release);
                return r.text();
            });
            CompletableFuture<GenerationResult> longOne = engine.generateAsync(request("long", 40));
            attached.countDown();
            try {
                GenerationResult other = longOne.get(60, TimeUnit.SECONDS);
                assertThat(other.usage().generatedTokens()).isEqualTo(40);
                assertThat(continuationStarted)
                        .as("the other request finished while the continuation blocked")
                        .isTrue();
                assertThat(blocked).isNotDone();
                assertThat(continuationThread.get()).startsWith("phi4-result");
            } finally {
                release.countDown();
            }
            assertThat(blocked.get(10, TimeUnit.SECONDS)).isNotEmpty();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = KvCacheMode.class,
            names = {"SHARED_BUFFER", "GROWING"})
    void everyThreadOfTheEngineComesFromItsThreadFactory(KvCacheMode mode) throws Exception {
        Set<Thread> made = ConcurrentHashMap.newKeySet();
        ThreadFactory counting = r -> {
            Thread t = EngineOptions.DAEMON_THREADS.newThread(r);
            made.add(t);
            return t;
        };
        try (OnnxPhi4Engine engine = ContinuousBatchingTest.open(
                KitModels.spec().build(),
                ContinuousBatchingTest.options()
                        .kvCacheMode(mode)
                        .maxBatchSize(2)
                        .threadFactory(counting)
                        .build())) {
            AtomicReference<Thread> decodeThread = new AtomicReference<>();
            GenerationRequest withDeadline = GenerationRequest.builder()
                    .user("threads")
                    .options(GenerationOptions.builder()
                            .maxNewTokens(3)
                            .timeout(Duration.ofMinutes(5)) // schedules a timer: the deadline thread
                            .build())
                    .build();
            Thread completedOn = engine.stream(
                            withDeadline, delta -> decodeThread.compareAndSet(null, Thread.currentThread()))
                    .result()
                    .thenApply(r -> Thread.currentThread())
                    .get(60, TimeUnit.SECONDS);

            assertThat(made).contains(decodeThread.get(), completedOn);
            assertThat(made)
                    .extracting(Thread::getName)
                    .contains("phi4-engine", "phi4-deadlines")
                    .anySatisfy(name -> assertThat(name).startsWith("phi4-result-"));
        }
    }
}

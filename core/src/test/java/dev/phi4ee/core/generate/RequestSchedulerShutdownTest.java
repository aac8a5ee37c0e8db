package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.EngineClosedException;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Timings;
import dev.phi4ee.core.api.TokenUsage;
import dev.phi4ee.core.ort.OrtTerminated;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Shutdown of the engine thread without a model: the request executor is a stand-in, so close can be raced many
 * times a second. Every request that submit accepted completes; the release runs only after the engine thread ended.
 */
class RequestSchedulerShutdownTest {
    private static final GenerationResult DONE = new GenerationResult(
            "x", FinishReason.LENGTH, new TokenUsage(1, 0, 0, 1), new Timings(null, null, Duration.ZERO, 0), List.of());

    private final ExecutorService completions = Executors.newCachedThreadPool();

    private static final DeadlineClock CLOCK = DeadlineClock.system();

    private static EngineRequest request(RequestScheduler scheduler, ExecutorService completions) {
        return new EngineRequest(
                new int[] {1, 2, 3},
                null,
                0,
                0,
                GenerationOptions.builder().maxNewTokens(4).build(),
                null,
                null,
                delta -> {},
                r -> scheduler.abandon(r),
                completions,
                CLOCK);
    }

    @Test
    void everyAcceptedRequestCompletesWhenCloseRacesSubmitters() throws Exception {
        for (int round = 0; round < 150; round++) {
            AtomicReference<RequestScheduler> ref = new AtomicReference<>();
            RequestScheduler scheduler = new RequestScheduler(
                    64,
                    0,
                    r -> {
                        LockSupport.parkNanos(20_000);
                        r.complete(DONE);
                    },
                    () -> {},
                    () -> {},
                    DeadlineClock.system(),
                    EngineOptions.DAEMON_THREADS);
            ref.set(scheduler);
            Queue<EngineRequest> accepted = new ConcurrentLinkedQueue<>();
            AtomicInteger unexpected = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            Thread[] submitters = new Thread[4];
            for (int t = 0; t < submitters.length; t++) {
                submitters[t] = Thread.ofPlatform().start(() -> {
                    while (!stop.get()) {
                        EngineRequest r = request(ref.get(), completions);
                        try {
                            ref.get().submit(r);
                            accepted.add(r);
                        } catch (EngineClosedException | EngineOverloadedException expected) {
                            Thread.onSpinWait();
                        } catch (RuntimeException e) {
                            unexpected.incrementAndGet();
                        }
                    }
                });
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200 + 50 * (round % 20)));
            scheduler.close(Duration.ofSeconds(10));
            stop.set(true);
            for (Thread t : submitters) {
                t.join();
            }
            assertThat(unexpected).hasValue(0);
            CompletableFuture<?> all = CompletableFuture.allOf(
                    accepted.stream().map(EngineRequest::result).toArray(CompletableFuture[]::new));
            try {
                all.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException expected) {
                // failed with EngineClosedException: checked below
            }
            for (EngineRequest r : accepted) {
                assertThat(r.result())
                        .as("round %d: every accepted request completes", round)
                        .isDone();
                if (r.result().isCompletedExceptionally()) {
                    assertThatThrownBy(() -> r.result().join()).hasCauseInstanceOf(EngineClosedException.class);
                }
            }
        }
    }

    /**
     * The running request ends because close terminated its native call, and close returns because the engine thread
     * then ended, not because its grace ran out: asserted on the terminate hook and on the order of events, never on
     * elapsed time. If terminate did nothing, the stand-in call would run to its end unterminated (or outlive the
     * grace, close returning before the release): both fail below.
     */
    @Test
    void closeTerminatesTheRunningRequestAndReleasesOnlyAfterTheThreadEnded() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch terminated = new CountDownLatch(1);
        AtomicInteger terminateCalls = new AtomicInteger();
        AtomicBoolean endedByTerminate = new AtomicBoolean();
        AtomicBoolean executorReturned = new AtomicBoolean();
        AtomicBoolean releasedAfterReturn = new AtomicBoolean();
        CountDownLatch released = new CountDownLatch(1);
        RequestScheduler scheduler = new RequestScheduler(
                8,
                0,
                r -> {
                    running.countDown();
                    try {
                        // A long native call: deaf to interrupts, only the terminate flag ends it (the bound only
                        // keeps a broken terminate from hanging the build).
                        if (!awaitUninterruptibly(terminated, Duration.ofSeconds(40))) {
                            r.complete(DONE);
                            return;
                        }
                        endedByTerminate.set(true);
                        throw new OrtTerminated("decoder: terminated");
                    } finally {
                        executorReturned.set(true);
                    }
                },
                () -> {
                    terminateCalls.incrementAndGet();
                    terminated.countDown();
                },
                () -> {
                    releasedAfterReturn.set(executorReturned.get());
                    released.countDown();
                },
                DeadlineClock.system(),
                EngineOptions.DAEMON_THREADS);
        EngineRequest first = request(scheduler, completions);
        scheduler.submit(first);
        running.await();
        EngineRequest queued = request(scheduler, completions);
        scheduler.submit(queued);

        scheduler.close(Duration.ofSeconds(15));

        assertThat(terminateCalls).as("close terminated the native call").hasValue(1);
        assertThat(released.getCount())
                .as("released before close returned: close waited for the thread, not out its grace")
                .isZero();
        assertThat(releasedAfterReturn)
                .as("released only once the native call had returned")
                .isTrue();
        assertThat(endedByTerminate)
                .as("the running call ended because it was terminated")
                .isTrue();
        for (EngineRequest r : List.of(first, queued)) {
            assertThatThrownBy(() -> r.result().get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(dev.phi4ee.core.api.Phi4Exception.class);
        }
        assertThatThrownBy(() -> queued.result().join()).hasCauseInstanceOf(EngineClosedException.class);
        assertThatThrownBy(() -> scheduler.submit(request(scheduler, completions)))
                .isInstanceOf(EngineClosedException.class);
    }

    /** Waits for {@code latch} like a native call: interrupts do not end the wait. */
    private static boolean awaitUninterruptibly(CountDownLatch latch, Duration bound) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return latch.await(bound.toNanos(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

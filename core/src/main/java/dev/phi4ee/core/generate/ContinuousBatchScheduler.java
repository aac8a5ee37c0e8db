package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.EngineClosedException;
import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.EngineStats;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Phi4Exception;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching on one engine thread: between two decode steps of the running requests ({@link DecodeBatch}),
 * queued requests are admitted in FIFO order while a slot is free and {@code maxTokensInFlight} (Σ prompt +
 * maxNewTokens of the running requests, 0 = unbounded) allows, and prefilled: at once, or over the next steps
 * ({@code prefillChunkTokens}). The head of the queue is never
 * overtaken (no starvation): when it does not fit, admission waits until enough running requests finish. A full
 * queue rejects at once with {@link EngineOverloadedException}; a request cancelled or past its deadline while queued
 * completes immediately, one that is running leaves its slot before the next step.
 *
 * <p>{@link #close()} refuses new requests, fails the waiting ones, terminates the native call in progress and waits
 * for the engine thread, which fails the running requests and frees the batch (then {@code afterExit}) itself
 * ({@link EngineThread}).
 */
final class ContinuousBatchScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ContinuousBatchScheduler.class);

    private final RequestQueue queue;
    private final DecodeBatch batch;
    private final long maxTokensInFlight;
    private final EngineThread worker;
    private volatile boolean closed;
    private volatile int peakActive;
    private volatile long peakTokensInFlight;
    /** {@code batch.active()} published by the engine thread for other threads' reads (metrics). */
    private volatile int running;

    /**
     * @param terminate ends the native call in progress (any thread)
     * @param afterExit frees what the engine thread used, after the batch; runs on that thread as it ends
     */
    ContinuousBatchScheduler(
            int capacity,
            long maxQueuedTokens,
            long maxTokensInFlight,
            DecodeBatch batch,
            Runnable terminate,
            Runnable afterExit,
            DeadlineClock clock,
            ThreadFactory threads) {
        this.queue = new RequestQueue(capacity, maxQueuedTokens, clock);
        this.batch = batch;
        this.maxTokensInFlight = maxTokensInFlight;
        this.worker = new EngineThread(threads, this::serve, terminate, () -> {
            queue.close(); // nothing waits any more (idempotent)
            batch.failAll(new EngineClosedException("engine closed while the request ran"));
            batch.close();
            afterExit.run();
        });
        worker.start();
    }

    void submit(EngineRequest request) {
        if (closed) {
            throw new EngineClosedException("engine is closed");
        }
        long budget = RequestQueue.budget(request);
        if (maxTokensInFlight > 0 && budget > maxTokensInFlight) {
            throw new InvalidInputException("prompt (" + request.promptIds.length + ") + maxNewTokens ("
                    + request.options.maxNewTokens() + ") exceeds maxTokensInFlight " + maxTokensInFlight);
        }
        queue.offer(request);
    }

    /** Called when a request is cancelled or expires: if it is still queued it completes now. */
    void abandon(EngineRequest request) {
        queue.abandon(request);
    }

    int queued() {
        return queue.size();
    }

    /** Queued, running and slots, the decode thread's state (any thread). */
    EngineStats stats() {
        return new EngineStats(queue.size(), running, batch.capacity(), worker.alive());
    }

    /** Most requests that ran in one batch so far. */
    int peakActive() {
        return peakActive;
    }

    /** Highest Σ (prompt + maxNewTokens) of running requests so far. */
    long peakTokensInFlight() {
        return peakTokensInFlight;
    }

    /** Rows that crossed the LongRoPE switch while batched (engine thread's count; for tests). */
    long crossings() {
        return batch.crossings();
    }

    /** Steps that decoded running rows while a prompt was part-way through its prefill (engine thread's; tests). */
    long stepsDuringPrefill() {
        return batch.stepsDuringPrefill();
    }

    /** Prompts prefilled as rows of one decoder call over several prompts (engine thread's count; for tests). */
    long batchedPrompts() {
        return batch.batchedPrompts();
    }

    /** Rows whose token was chosen in parallel with others' (engine thread's count; for tests). */
    long rowsChosenAhead() {
        return batch.rowsChosenAhead();
    }

    /** Positions the batch's sessions ran through the decoder (engine thread's count; for tests). */
    long decoderPositions() {
        return batch.decoderPositions();
    }

    private void serve() {
        while (!closed) {
            try {
                if (batch.active() == 0) {
                    running = 0;
                    EngineRequest next = queue.take(); // idle: wait for work
                    if (next == null) {
                        break; // closed
                    }
                    start(next);
                }
                admitWhileRoom();
                running = batch.active();
                if (batch.active() > 0) {
                    batch.step();
                }
            } catch (InterruptedException e) {
                continue; // only close interrupts on purpose; the loop condition decides
            } catch (RuntimeException | Error t) {
                LOG.error("engine loop failed", t);
                batch.failAll(new Phi4Exception("engine loop failed: " + t, t));
            }
        }
    }

    private void admitWhileRoom() {
        EngineRequest head;
        while (batch.active() < batch.capacity() && (head = queue.peek()) != null) {
            long budget = RequestQueue.budget(head);
            if (maxTokensInFlight > 0 && batch.tokensInFlight() + budget > maxTokensInFlight) {
                return; // FIFO: the head waits for room, nobody overtakes it
            }
            if (queue.remove(head)) { // false: cancelled meanwhile (abandon completed it)
                start(head);
            }
        }
    }

    private void start(EngineRequest request) {
        if (closed) {
            request.fail(new EngineClosedException("engine closed before the request ran"));
            return;
        }
        FinishReason early = request.stopReason();
        if (early != null) {
            request.completeUnstarted(early);
            return;
        }
        peakActive = Math.max(peakActive, batch.active() + 1);
        peakTokensInFlight = Math.max(
                peakTokensInFlight, batch.tokensInFlight() + request.promptIds.length + request.options.maxNewTokens());
        running = batch.active() + 1; // counted from its prefill on
        batch.admit(request);
    }

    /** Returns once the engine thread has ended and freed the batch, or after {@code grace} (logged). */
    void close(Duration grace) {
        closed = true;
        queue.close();
        worker.stop(grace);
    }

    @Override
    public void close() {
        close(CLOSE_GRACE);
    }

    /** How long close waits for the engine thread after terminating its native call. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(30);
}

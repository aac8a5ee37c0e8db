package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.EngineClosedException;
import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.EngineStats;
import dev.phi4ee.core.api.Phi4Exception;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One engine thread serving a bounded FIFO queue (first come, first served: no starvation). A full queue rejects at
 * once with {@link EngineOverloadedException}. A request cancelled or past its deadline while still queued leaves the
 * queue and completes immediately; one that is running stops before its next decode step. Shutdown as in {@link
 * ContinuousBatchScheduler}: the request running when the engine closes fails with {@link EngineClosedException}.
 */
final class RequestScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RequestScheduler.class);

    private final RequestQueue queue;
    private final Consumer<EngineRequest> executor;
    private final EngineThread worker;
    private volatile boolean closed;
    /** 1 while a request runs on the engine thread. */
    private volatile int running;

    /**
     * @param executor runs one request to completion on the engine thread (completing its future)
     * @param terminate ends the native call in progress (any thread)
     * @param afterExit frees what the engine thread used; runs on that thread as it ends
     * @param clock measures and fires the requests' deadlines
     * @param threads makes the engine thread
     */
    RequestScheduler(
            int capacity,
            long maxQueuedTokens,
            Consumer<EngineRequest> executor,
            Runnable terminate,
            Runnable afterExit,
            DeadlineClock clock,
            ThreadFactory threads) {
        this.queue = new RequestQueue(capacity, maxQueuedTokens, clock);
        this.executor = executor;
        this.worker = new EngineThread(threads, this::serve, terminate, () -> {
            queue.close();
            afterExit.run();
        });
        worker.start();
    }

    void submit(EngineRequest request) {
        if (closed) {
            throw new EngineClosedException("engine is closed");
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

    /** Queued, running (0 or 1: one slot) and the decode thread's state (any thread). */
    EngineStats stats() {
        return new EngineStats(queue.size(), running, 1, worker.alive());
    }

    private void serve() {
        while (!closed) {
            EngineRequest next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                continue; // only close interrupts on purpose; the loop condition decides
            }
            if (next == null) {
                break; // closed
            }
            if (closed) {
                next.fail(new EngineClosedException("engine closed before the request ran"));
                continue;
            }
            running = 1;
            try {
                executor.accept(next);
            } catch (Throwable t) {
                LOG.error("request failed", t);
                next.fail(t instanceof Phi4Exception ? t : new Phi4Exception("request failed: " + t, t));
            } finally {
                running = 0;
            }
            if (closed && !next.finished()) { // the executor returned without an outcome: never leave it hanging
                next.fail(new EngineClosedException("engine closed while the request ran"));
            }
        }
    }

    /** Returns once the engine thread has ended and released, or after {@code grace} (logged). */
    void close(java.time.Duration grace) {
        closed = true;
        queue.close();
        worker.stop(grace);
    }

    @Override
    public void close() {
        close(ContinuousBatchScheduler.CLOSE_GRACE);
    }
}

package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.Phi4Exception;
import java.lang.System.Logger.Level;
import java.util.function.Consumer;

/**
 * One engine thread serving a bounded FIFO queue (first come, first served: no starvation). A full queue rejects at
 * once with {@link EngineOverloadedException}. A request cancelled or past its deadline while still queued leaves the
 * queue and completes immediately; one that is running stops before its next decode step.
 */
final class RequestScheduler implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RequestScheduler.class.getName());

    private final RequestQueue queue;
    private final Consumer<EngineRequest> executor;
    private final Thread worker;
    private volatile boolean closed;

    /** @param executor runs one request to completion on the engine thread (completing its future) */
    RequestScheduler(int capacity, Consumer<EngineRequest> executor) {
        this.queue = new RequestQueue(capacity);
        this.executor = executor;
        this.worker = Thread.ofPlatform().name("phi4-engine").daemon(true).start(this::serve);
    }

    void submit(EngineRequest request) {
        if (closed) {
            throw new Phi4Exception("engine is closed");
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

    private void serve() {
        while (!closed) {
            EngineRequest next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                break;
            }
            try {
                executor.accept(next);
            } catch (Throwable t) {
                LOG.log(Level.ERROR, "request failed", t);
                next.fail(t instanceof Phi4Exception ? t : new Phi4Exception("request failed: " + t, t));
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        worker.interrupt();
        try {
            worker.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.close();
    }
}

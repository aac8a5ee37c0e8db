package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.Phi4Exception;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The engine's bounded FIFO of waiting requests and the deadline timers of everything submitted; shared by both
 * schedulers. A full queue rejects at once with {@link EngineOverloadedException} (back-pressure, never a drop).
 */
final class RequestQueue implements AutoCloseable {
    private final BlockingQueue<EngineRequest> queue;
    private final ScheduledThreadPoolExecutor timers;

    RequestQueue(int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "phi4-deadlines");
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true);
    }

    /** Queues the request or rejects it; arms its deadline, which aborts it wherever it is by then. */
    void offer(EngineRequest request) {
        if (!queue.offer(request)) {
            throw new EngineOverloadedException("engine queue is full (" + (queue.size() + queue.remainingCapacity())
                    + " requests waiting); retry later or raise maxQueuedRequests");
        }
        if (request.hasDeadline()) {
            long delay = request.deadlineNanos - System.nanoTime();
            ScheduledFuture<?> timer =
                    timers.schedule(() -> request.abort(FinishReason.DEADLINE), delay, TimeUnit.NANOSECONDS);
            request.result().whenComplete((r, e) -> timer.cancel(false));
        }
    }

    /** Called when a request is cancelled or expires: if it is still queued it completes now. */
    void abandon(EngineRequest request) {
        if (queue.remove(request)) {
            request.completeUnstarted(request.stopReason());
        }
    }

    EngineRequest take() throws InterruptedException {
        return queue.take();
    }

    EngineRequest peek() {
        return queue.peek();
    }

    /** False when the request already left (cancelled meanwhile). */
    boolean remove(EngineRequest request) {
        return queue.remove(request);
    }

    int size() {
        return queue.size();
    }

    /** Stops the timers and fails every request still waiting. */
    @Override
    public void close() {
        timers.shutdownNow();
        EngineRequest r;
        while ((r = queue.poll()) != null) {
            r.fail(new Phi4Exception("engine closed before the request ran"));
        }
    }
}

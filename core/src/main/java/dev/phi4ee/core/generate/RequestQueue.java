package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.EngineClosedException;
import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.FinishReason;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine's bounded FIFO of waiting requests and the deadline timers of everything submitted; shared by both
 * schedulers. It is bounded in requests and in tokens (Σ prompt + maxNewTokens of the waiting requests, 0 =
 * unbounded); a request over either bound is rejected at once with {@link EngineOverloadedException} (back-pressure,
 * never a drop). {@link #offer} and {@link #close} hold one lock, so a request is either refused with {@link
 * EngineClosedException} or queued before the close and then failed by it: none is left behind.
 */
final class RequestQueue implements AutoCloseable {
    private final ArrayDeque<EngineRequest> queue = new ArrayDeque<>();
    private final int capacity;
    private final long maxTokens;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final DeadlineClock clock;
    private long tokens;
    private boolean closed;

    /** @param clock measures and fires the deadlines; closed with the queue */
    RequestQueue(int capacity, long maxTokens, DeadlineClock clock) {
        this.capacity = capacity;
        this.maxTokens = maxTokens;
        this.clock = clock;
    }

    /** Prompt + maxNewTokens: what a request may occupy in the KV cache. */
    static long budget(EngineRequest request) {
        return (long) request.promptIds.length + request.options.maxNewTokens();
    }

    /** Queues the request or rejects it; arms its deadline, which aborts it wherever it is by then. */
    void offer(EngineRequest request) {
        long budget = budget(request);
        lock.lock();
        try {
            if (closed) {
                throw new EngineClosedException("engine is closed");
            }
            if (queue.size() >= capacity) {
                throw new EngineOverloadedException("engine queue is full (" + capacity
                        + " requests waiting); retry later or raise maxQueuedRequests");
            }
            if (maxTokens > 0 && !queue.isEmpty() && tokens + budget > maxTokens) {
                throw new EngineOverloadedException("engine queue is full (" + tokens + " tokens waiting, this request "
                        + budget + ", maxQueuedTokens " + maxTokens + "); retry later or raise maxQueuedTokens");
            }
            queue.addLast(request);
            tokens += budget;
            if (request.hasDeadline()) {
                long delay = request.deadlineNanos - clock.nanoTime();
                Runnable cancelTimer = clock.schedule(() -> request.abort(FinishReason.DEADLINE), delay);
                request.result().whenComplete((r, e) -> cancelTimer.run());
            }
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Called when a request is cancelled or expires: if it is still queued it completes now. */
    void abandon(EngineRequest request) {
        if (remove(request)) {
            request.completeUnstarted(request.stopReason());
        }
    }

    /** Waits for a request; null once the queue is closed. */
    EngineRequest take() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (queue.isEmpty() && !closed) {
                notEmpty.await();
            }
            return closed ? null : poll();
        } finally {
            lock.unlock();
        }
    }

    EngineRequest peek() {
        lock.lock();
        try {
            return queue.peekFirst();
        } finally {
            lock.unlock();
        }
    }

    /** False when the request already left (cancelled meanwhile). */
    boolean remove(EngineRequest request) {
        lock.lock();
        try {
            if (queue.remove(request)) {
                tokens -= budget(request);
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    private EngineRequest poll() {
        EngineRequest r = queue.pollFirst();
        if (r != null) {
            tokens -= budget(r);
        }
        return r;
    }

    /** Refuses every later offer, wakes the waiting taker, fails every request still waiting, stops the timers. */
    @Override
    public void close() {
        ArrayDeque<EngineRequest> waiting;
        lock.lock();
        try {
            closed = true;
            waiting = new ArrayDeque<>(queue);
            queue.clear();
            tokens = 0;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
        clock.close();
        for (EngineRequest r : waiting) {
            r.fail(new EngineClosedException("engine closed before the request ran"));
        }
    }
}

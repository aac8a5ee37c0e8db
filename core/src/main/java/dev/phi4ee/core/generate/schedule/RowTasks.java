package dev.phi4ee.core.generate.schedule;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Runs one step's independent per-row tasks (the token choice of a batched step's rows) on the calling thread and up
 * to {@code threads - 1} helper threads, and returns when all are done. Rows are handed out one at a time, so a slow
 * row (a flat top-p row) does not hold up a fixed share of the others. A task's failure is kept for its row, never
 * thrown across rows. The helpers come from the engine's thread factory (the server's managed threads in EE) and end
 * with {@link #close}.
 */
public final class RowTasks implements AutoCloseable {
    private final int threads;
    private final ExecutorService helpers;

    /** @param threads 1 runs every task on the calling thread and makes no helper */
    public RowTasks(int threads, ThreadFactory factory) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        this.threads = threads;
        this.helpers = threads > 1 ? Executors.newFixedThreadPool(threads - 1, named(factory)) : null;
    }

    /** Threads that run a step's tasks, the caller included. */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code task} for every row in {@code [0, rows)}; {@code failures[i]} is set to the exception row {@code i}'s
     * task threw (left as is otherwise). Every task has ended when this returns, also when the caller is interrupted
     * while it waits (the interrupt is kept): the tasks touch buffers the caller reuses right after.
     */
    public void run(int rows, IntConsumer task, RuntimeException[] failures) {
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int i; (i = next.getAndIncrement()) < rows; ) {
                try {
                    task.accept(i);
                } catch (RuntimeException e) {
                    failures[i] = e;
                }
            }
        };
        int helping = helpers == null ? 0 : Math.min(threads, rows) - 1;
        CountDownLatch done = new CountDownLatch(helping);
        for (int h = 0; h < helping; h++) {
            try {
                helpers.execute(() -> {
                    try {
                        worker.run();
                    } finally {
                        done.countDown();
                    }
                });
            } catch (RejectedExecutionException e) { // closing: the caller's worker takes the rows
                done.countDown();
            }
        }
        worker.run();
        awaitUninterruptibly(done);
    }

    private static void awaitUninterruptibly(CountDownLatch done) {
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory named(ThreadFactory factory) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = factory.newThread(r);
            if (t != null) {
                t.setName("phi4-token-choice-" + count.incrementAndGet());
            }
            return t;
        };
    }

    @Override
    public void close() {
        if (helpers != null) {
            helpers.shutdownNow();
        }
    }
}

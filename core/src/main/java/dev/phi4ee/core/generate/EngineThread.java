package dev.phi4ee.core.generate;

import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's one thread and its shutdown, shared by both schedulers. The thread owns the native resources it
 * runs: {@code release} runs on it, after its loop, so nothing is freed while a native call may still use it.
 * {@link #stop} terminates the running native calls ({@code terminate}), interrupts, and waits for the thread to end;
 * if it does not end within the grace period (a listener blocking the engine thread) {@code stop} returns and the
 * release happens when the thread ends (docs/decisions/runtime-shutdown.md).
 */
final class EngineThread {
    private static final Logger LOG = LoggerFactory.getLogger(EngineThread.class);

    private final Thread thread;
    private final Runnable terminate;

    /** @param threads makes the thread ({@code EngineOptions.threadFactory}: the server's managed threads in EE) */
    EngineThread(ThreadFactory threads, Runnable loop, Runnable terminate, Runnable release) {
        this.terminate = terminate;
        this.thread = threads.newThread(() -> {
            try {
                loop.run();
            } finally {
                release.run();
            }
        });
        if (thread == null) {
            throw new IllegalStateException("the engine's thread factory made no thread (the server shutting down?)");
        }
        thread.setName("phi4-engine");
    }

    void start() {
        thread.start();
    }

    /** The thread is running its loop (false before start, after the loop ended, or if it died). */
    boolean alive() {
        return thread.isAlive();
    }

    /**
     * Ends the loop: call after the loop's own closed flag is set. Returns once the thread has ended and released,
     * or after {@code grace} with a warning.
     */
    void stop(Duration grace) {
        terminate.run();
        thread.interrupt();
        if (Thread.currentThread() == thread) {
            return; // closed from a listener: the loop ends when the callback returns
        }
        boolean interrupted = false;
        long deadline = System.nanoTime() + grace.toNanos();
        while (thread.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LOG.warn(
                        "the engine thread is still busy {} s after close (a listener blocking it?); its native memory"
                                + " is released when it ends",
                        grace.toSeconds());
                break;
            }
            try {
                thread.join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                interrupted = true; // keep waiting: freeing under a running thread is worse than a late close
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

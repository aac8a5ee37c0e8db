package dev.phi4ee.core.generate;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The time request deadlines are measured in and the timer that fires them: {@link #system()} in production; tests
 * substitute a clock they advance themselves, so a deadline passes at a chosen decode step whatever the machine's
 * speed (docs/decisions/deadline-clock.md).
 */
interface DeadlineClock {
    /** Now, in nanoseconds from an arbitrary origin (as {@link System#nanoTime()}). */
    long nanoTime();

    /** Runs {@code task} once {@code delayNanos} have passed on this clock; the returned action cancels it. */
    Runnable schedule(Runnable task, long delayNanos);

    /** Stops the timer; tasks not yet run never run (idempotent). */
    void close();

    /** {@link System#nanoTime()} and one daemon timer thread. */
    static DeadlineClock system() {
        return system(dev.phi4ee.core.api.EngineOptions.DAEMON_THREADS);
    }

    /** {@link System#nanoTime()} and one timer thread from {@code threads}. */
    static DeadlineClock system(ThreadFactory threads) {
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = threads.newThread(r);
            if (t != null) {
                t.setName("phi4-deadlines");
            }
            return t;
        });
        timers.setRemoveOnCancelPolicy(true);
        return new DeadlineClock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public Runnable schedule(Runnable task, long delayNanos) {
                ScheduledFuture<?> timer = timers.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
                return () -> timer.cancel(false);
            }

            @Override
            public void close() {
                timers.shutdownNow();
            }
        };
    }
}

package dev.phi4ee.core.generate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A deadline clock that moves only when a test advances it: a deadline then passes at the decode step the test
 * chooses, on a slow machine as on a fast one. Due timers run on the advancing thread, outside this clock's lock (they
 * take the request queue's lock, which {@code offer} holds while it schedules).
 */
final class ManualDeadlineClock implements DeadlineClock {
    private record Timer(long due, Runnable task) {}

    private final List<Timer> timers = new ArrayList<>();
    private long now;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Runnable schedule(Runnable task, long delayNanos) {
        Timer t = new Timer(now + delayNanos, task);
        timers.add(t);
        return () -> {
            synchronized (this) {
                timers.remove(t);
            }
        };
    }

    /** Moves the clock on and runs the timers now due. */
    void advance(Duration by) {
        List<Runnable> due = new ArrayList<>();
        synchronized (this) {
            now += by.toNanos();
            timers.removeIf(t -> {
                boolean d = t.due() - now <= 0;
                if (d) {
                    due.add(t.task());
                }
                return d;
            });
        }
        due.forEach(Runnable::run);
    }

    @Override
    public synchronized void close() {
        timers.clear();
    }
}

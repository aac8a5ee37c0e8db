package dev.phi4ee.core.generate.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.EngineOptions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class RowTasksTest {

    @Test
    void everyRowRunsOnceAndTheCallerWaitsForAll() {
        try (RowTasks tasks = new RowTasks(4, EngineOptions.DAEMON_THREADS)) {
            for (int round = 0; round < 50; round++) {
                AtomicIntegerArray runs = new AtomicIntegerArray(1000);
                RuntimeException[] failures = new RuntimeException[1000];
                tasks.run(1000, runs::incrementAndGet, failures);
                for (int i = 0; i < 1000; i++) { // read right after run returns: all done, none twice
                    assertThat(runs.get(i)).as("row %d", i).isEqualTo(1);
                    assertThat(failures[i]).isNull();
                }
            }
        }
    }

    @Test
    void threeRowsRunAtOnceOnTheCallerAndTwoHelpers() {
        CyclicBarrier together = new CyclicBarrier(3); // only passes if three threads hold a row at the same time
        Set<String> names = ConcurrentHashMap.newKeySet();
        RuntimeException[] failures = new RuntimeException[3];
        try (RowTasks tasks = new RowTasks(3, EngineOptions.DAEMON_THREADS)) {
            tasks.run(
                    3,
                    i -> {
                        names.add(Thread.currentThread().getName());
                        try {
                            together.await(10, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    failures);
        }
        assertThat(failures).containsOnlyNulls();
        assertThat(names)
                .hasSize(3)
                .contains(Thread.currentThread().getName())
                .filteredOn(n -> n.startsWith("phi4-token-choice-"))
                .hasSize(2);
    }

    @Test
    void aFailingRowIsKeptForThatRowAndTheOthersStillRun() {
        AtomicIntegerArray runs = new AtomicIntegerArray(100);
        RuntimeException[] failures = new RuntimeException[100];
        try (RowTasks tasks = new RowTasks(3, EngineOptions.DAEMON_THREADS)) {
            tasks.run(
                    100,
                    i -> {
                        runs.incrementAndGet(i);
                        if (i % 7 == 0) {
                            throw new IllegalArgumentException("row " + i);
                        }
                    },
                    failures);
        }
        for (int i = 0; i < 100; i++) {
            assertThat(runs.get(i)).isEqualTo(1);
            if (i % 7 == 0) {
                assertThat(failures[i]).hasMessage("row " + i);
            } else {
                assertThat(failures[i]).isNull();
            }
        }
    }

    @Test
    void oneThreadOrAClosedPoolRunsEverythingOnTheCaller() {
        String caller = Thread.currentThread().getName();
        for (RowTasks tasks :
                new RowTasks[] {new RowTasks(1, EngineOptions.DAEMON_THREADS), closed(new RowTasks(4, r -> null))}) {
            Set<String> names = ConcurrentHashMap.newKeySet();
            AtomicIntegerArray runs = new AtomicIntegerArray(20);
            tasks.run(
                    20,
                    i -> {
                        names.add(Thread.currentThread().getName());
                        runs.incrementAndGet(i);
                    },
                    new RuntimeException[20]);
            assertThat(names).containsExactly(caller);
            for (int i = 0; i < 20; i++) {
                assertThat(runs.get(i)).isEqualTo(1);
            }
            tasks.close();
        }
    }

    private static RowTasks closed(RowTasks tasks) {
        tasks.close();
        return tasks;
    }
}

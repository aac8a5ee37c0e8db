package dev.phi4ee.core.generate.constrain;

import java.util.Arrays;

/**
 * A deterministic automaton over Unicode code points, transitions on sorted code point intervals, with the states that
 * cannot reach an accepting state removed ({@link #next} answers -1 for them). Made by {@link RegexCompiler}.
 */
final class CodePointDfa {
    /** Per state: ascending interval starts, and per interval its end (inclusive) and target (-1: dead). */
    private final int[][] starts;

    private final int[][] ends;
    private final int[][] targets;
    private final boolean[] accepting;

    CodePointDfa(int[][] starts, int[][] ends, int[][] targets, boolean[] accepting) {
        this.starts = starts;
        this.ends = ends;
        this.targets = targets;
        this.accepting = accepting;
    }

    int stateCount() {
        return accepting.length;
    }

    /** The start state is 0; it is live (the compiler rejects an empty language). */
    boolean accepting(int state) {
        return accepting[state];
    }

    /** The state after {@code codePoint}, or -1 when no match can follow. */
    int next(int state, int codePoint) {
        int[] s = starts[state];
        int i = Arrays.binarySearch(s, codePoint);
        if (i < 0) {
            i = -i - 2;
        }
        return i >= 0 && codePoint <= ends[state][i] ? targets[state][i] : -1;
    }

    /** Number of intervals leaving {@code state}; with {@link #intervalStart} etc. they list its live transitions. */
    int intervals(int state) {
        return starts[state].length;
    }

    int intervalStart(int state, int i) {
        return starts[state][i];
    }

    int intervalEnd(int state, int i) {
        return ends[state][i];
    }

    int intervalTarget(int state, int i) {
        return targets[state][i];
    }
}

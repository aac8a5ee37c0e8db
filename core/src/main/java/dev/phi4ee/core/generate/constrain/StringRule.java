package dev.phi4ee.core.generate.constrain;

import dev.phi4ee.core.api.InvalidInputException;
import java.util.BitSet;

/**
 * What a generated string's value must satisfy: between {@code min} and {@code max} code points ({@code max} -1:
 * unbounded) and, optionally, a full match of a {@link CodePointDfa} ({@code pattern} or {@code format}). Counts the
 * generator tracks are clamped where they no longer matter (at {@code min} when there is no {@code max}), so that equal
 * futures share one grammar state.
 *
 * <p>With an automaton, a code point is allowed only when the text can still be completed within the bounds: {@link
 * #live} tells, per count and automaton state, whether an accepting state is reachable with a total count in range.
 */
final class StringRule {
    static final StringRule ANY = new StringRule(0, -1, null, "#");

    /** Above this many (count × state) cells the length bounds and pattern are rejected as too large. */
    private static final long MAX_TABLE = 4_000_000;

    final int min;
    final int max;
    final CodePointDfa dfa;
    /** {@code live[c]}: the states from which count {@code c} can still end in range; null without an automaton. */
    private final BitSet[] live;

    StringRule(int min, int max, CodePointDfa dfa, String where) {
        this.min = min;
        this.max = max;
        this.dfa = dfa;
        this.live = dfa == null ? null : liveTable(where);
    }

    /** Whether some string satisfies the rule. */
    boolean satisfiable() {
        if (max >= 0 && max < min) {
            return false;
        }
        return dfa == null || live[0].get(0);
    }

    /** The count to store after {@code count} code points. */
    int clamp(int count) {
        return max < 0 ? Math.min(count, min) : count;
    }

    /** Whether the string may end now. */
    boolean canClose(int state, int count) {
        return count >= min && (dfa == null || dfa.accepting(state));
    }

    /**
     * The automaton state after appending {@code cp} to a value in {@code state} with {@code count} code points, or -1
     * when that cannot lead to a valid value (0 without an automaton).
     */
    int next(int state, int count, int cp) {
        if (max >= 0 && count + 1 > max) {
            return -1;
        }
        if (dfa == null) {
            return 0;
        }
        int t = dfa.next(state, cp);
        return t >= 0 && live[clamp(count + 1)].get(t) ? t : -1;
    }

    /** Whether some non-surrogate code point in {@code [lo, hi]} is allowed by {@link #next}. */
    boolean anyAllowed(int state, int count, int lo, int hi) {
        if (max >= 0 && count + 1 > max) {
            return false;
        }
        if (lo >= 0xD800 && hi <= 0xDFFF) {
            return false;
        }
        if (dfa == null) {
            return lo <= hi;
        }
        BitSet ok = live[clamp(count + 1)];
        for (int i = 0, n = dfa.intervals(state); i < n; i++) {
            int a = Math.max(lo, dfa.intervalStart(state, i));
            int b = Math.min(hi, dfa.intervalEnd(state, i));
            if (a <= b && ok.get(dfa.intervalTarget(state, i)) && !(a >= 0xD800 && b <= 0xDFFF)) {
                return true;
            }
        }
        return false;
    }

    private BitSet[] liveTable(String where) {
        int n = dfa.stateCount();
        int counts = (max >= 0 ? max : min) + 1;
        int horizon = max >= 0 ? max : min + n; // longer paths can be shortened by a cycle (pumping)
        if ((long) (horizon + 1) * n > MAX_TABLE || (long) counts * n > MAX_TABLE) {
            throw new InvalidInputException("JSON schema: the length bounds and pattern/format at " + where
                    + " make a table too large; lower maxLength/minLength or simplify the pattern");
        }
        BitSet[] reach = new BitSet[horizon + 1]; // reach[k]: states that accept after exactly k more code points
        reach[0] = new BitSet(n);
        for (int s = 0; s < n; s++) {
            if (dfa.accepting(s)) {
                reach[0].set(s);
            }
        }
        for (int k = 1; k <= horizon; k++) {
            reach[k] = new BitSet(n);
            for (int s = 0; s < n; s++) {
                for (int i = 0, m = dfa.intervals(s); i < m; i++) {
                    if (reach[k - 1].get(dfa.intervalTarget(s, i))) {
                        reach[k].set(s);
                        break;
                    }
                }
            }
        }
        BitSet[] table = new BitSet[counts];
        for (int c = 0; c < counts; c++) {
            BitSet states = new BitSet(n);
            int from = Math.max(0, min - c);
            int to = max >= 0 ? max - c : from + n;
            for (int k = from; k <= Math.min(to, horizon); k++) {
                states.or(reach[k]);
            }
            table[c] = states;
        }
        return table;
    }
}

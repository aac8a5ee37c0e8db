package dev.phi4ee.core.generate.constrain;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * What a generated number must satisfy: integer or not, and optional bounds (each inclusive or exclusive). Numbers are
 * generated as {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?} — no exponent — with at most {@link #intDigits} integer and
 * {@link #fracDigits} fraction digits, so that a number always ends. A prefix is allowed only when some completion of
 * it is within the bounds (checked exactly with {@link BigDecimal}), so bounds never lead into a dead end.
 */
final class NumberRule {
    /** Integer digits without bounds that need more (|x| < 10^15, within a double's exact integers). */
    private static final int DEFAULT_INT_DIGITS = 15;

    private static final int DEFAULT_FRACTION_DIGITS = 15;

    final boolean integer;
    final BigDecimal lo;
    final boolean loExclusive;
    final BigDecimal hi;
    final boolean hiExclusive;
    final int intDigits;
    final int fracDigits;
    private final BigDecimal grid;

    NumberRule(boolean integer, BigDecimal lo, boolean loExclusive, BigDecimal hi, boolean hiExclusive) {
        this.integer = integer;
        this.lo = lo;
        this.loExclusive = loExclusive;
        this.hi = hi;
        this.hiExclusive = hiExclusive;
        this.intDigits = Math.max(DEFAULT_INT_DIGITS, Math.max(digits(lo), digits(hi)));
        this.fracDigits = integer ? 0 : Math.max(DEFAULT_FRACTION_DIGITS, Math.max(scale(lo), scale(hi)));
        this.grid = BigDecimal.ONE.movePointLeft(fracDigits);
    }

    private static int digits(BigDecimal v) {
        return v == null
                ? 0
                : v.abs()
                        .setScale(0, RoundingMode.DOWN)
                        .toBigInteger()
                        .toString()
                        .length();
    }

    private static int scale(BigDecimal v) {
        return v == null ? 0 : Math.max(0, v.stripTrailingZeros().scale());
    }

    /**
     * The state after appending byte {@code b} to a number in state {@code state} (its text, or its {@link #canonical}
     * shape), or null when no valid number can then follow.
     */
    String advance(String state, int b) {
        boolean free = state.startsWith("~");
        String text = free ? state.substring(1) : state;
        Parts p = Parts.of(text);
        char c = (char) b;
        if (b == '-') {
            if (!text.isEmpty()) {
                return null;
            }
        } else if (b == '.') {
            if (integer || p.dot || p.intPart.isEmpty()) {
                return null;
            }
        } else if (b >= '0' && b <= '9') {
            if (p.dot) {
                if (p.frac.length() >= fracDigits) {
                    return null;
                }
            } else if (p.intPart.equals("0") || p.intPart.length() >= intDigits) {
                return null;
            }
            if (free && !(b == '0' && p.intPart.isEmpty() && !p.dot)) {
                c = '1';
            }
        } else {
            return null;
        }
        String next = text + c;
        if (free) {
            return "~" + next;
        }
        return feasible(next) ? canonical(next) : null;
    }

    /** Whether some byte may extend a number in {@code state}. */
    boolean canGrow(String state) {
        for (int b = '0'; b <= '9'; b++) {
            if (advance(state, b) != null) {
                return true;
            }
        }
        return advance(state, '.') != null;
    }

    /** Whether a number in {@code state} is complete and within the bounds. */
    boolean accepting(String state) {
        boolean free = state.startsWith("~");
        String text = free ? state.substring(1) : state;
        Parts p = Parts.of(text);
        if (p.intPart.isEmpty() || (p.dot && p.frac.isEmpty())) {
            return false;
        }
        return free || within(new BigDecimal(text));
    }

    boolean satisfiable() {
        return feasible("");
    }

    private boolean within(BigDecimal v) {
        if (lo != null && (loExclusive ? v.compareTo(lo) <= 0 : v.compareTo(lo) < 0)) {
            return false;
        }
        return hi == null || (hiExclusive ? v.compareTo(hi) < 0 : v.compareTo(hi) <= 0);
    }

    /** Whether some complete number starting with {@code text} is within the bounds. */
    private boolean feasible(String text) {
        for (BigDecimal[] r : reach(text)) {
            if (clipped(r) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The grammar state of {@code text}: the text itself while the bounds can still exclude a completion; once every
     * completion is within them (or there are none), only its shape matters — sign, digit counts, a lone {@code 0} —
     * so the digits become {@code 1}s, prefixed by {@code ~}. Equal futures then share one state, and the states of a
     * number are finitely many however many numbers are generated.
     */
    String canonical(String text) {
        if (lo != null || hi != null) {
            for (BigDecimal[] r : reach(text)) {
                BigDecimal[] c = clipped(r);
                if (c == null || c[0].compareTo(signedFrom(r)) != 0 || c[1].compareTo(signedTo(r)) != 0) {
                    return text;
                }
            }
        }
        StringBuilder shape = new StringBuilder(text.length() + 1).append('~');
        Parts p = Parts.of(text);
        shape.append(p.negative ? "-" : "");
        shape.append(p.intPart.equals("0") ? "0" : "1".repeat(p.intPart.length()));
        if (p.dot) {
            shape.append('.').append("1".repeat(p.frac.length()));
        }
        return shape.toString();
    }

    /** Reachable magnitudes as {@code [from, to, sign]} grid intervals (sign -1 for a negative number). */
    private java.util.List<BigDecimal[]> reach(String text) {
        Parts p = Parts.of(text);
        BigDecimal sign = p.negative ? BigDecimal.ONE.negate() : BigDecimal.ONE;
        java.util.List<BigDecimal[]> out = new java.util.ArrayList<>();
        if (p.intPart.isEmpty()) {
            BigDecimal most = BigDecimal.TEN.pow(intDigits).subtract(grid);
            out.add(new BigDecimal[] {BigDecimal.ZERO, most, sign});
            if (!p.negative) { // the sign is still open
                out.add(new BigDecimal[] {BigDecimal.ZERO, most, BigDecimal.ONE.negate()});
            }
        } else if (p.dot) {
            BigDecimal v = new BigDecimal(p.intPart + "." + (p.frac.isEmpty() ? "0" : p.frac));
            BigDecimal width = p.frac.length() >= fracDigits ? grid : BigDecimal.ONE.movePointLeft(p.frac.length());
            out.add(new BigDecimal[] {v, v.add(width).subtract(grid), sign});
        } else if (p.intPart.equals("0")) {
            out.add(new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ONE.subtract(grid), sign});
        } else {
            BigDecimal value = new BigDecimal(new BigInteger(p.intPart));
            for (int more = 0; more <= intDigits - p.intPart.length(); more++) {
                BigDecimal scale = BigDecimal.TEN.pow(more);
                BigDecimal from = value.multiply(scale);
                out.add(new BigDecimal[] {from, from.add(scale).subtract(grid), sign});
            }
        }
        return out;
    }

    private static BigDecimal signedFrom(BigDecimal[] r) {
        return r[2].signum() < 0 ? r[1].negate() : r[0];
    }

    private static BigDecimal signedTo(BigDecimal[] r) {
        return r[2].signum() < 0 ? r[0].negate() : r[1];
    }

    /** The part of a reach interval within the bounds, on the grid, or null when none. */
    private BigDecimal[] clipped(BigDecimal[] r) {
        BigDecimal a = signedFrom(r);
        BigDecimal b = signedTo(r);
        if (lo != null) {
            BigDecimal least = lo.divide(grid, 0, RoundingMode.CEILING).multiply(grid);
            if (loExclusive && least.compareTo(lo) == 0) {
                least = least.add(grid);
            }
            a = a.max(least);
        }
        if (hi != null) {
            BigDecimal most = hi.divide(grid, 0, RoundingMode.FLOOR).multiply(grid);
            if (hiExclusive && most.compareTo(hi) == 0) {
                most = most.subtract(grid);
            }
            b = b.min(most);
        }
        return a.compareTo(b) <= 0 ? new BigDecimal[] {a, b} : null;
    }

    private record Parts(boolean negative, String intPart, boolean dot, String frac) {
        static Parts of(String text) {
            boolean negative = text.startsWith("-");
            String rest = negative ? text.substring(1) : text;
            int dot = rest.indexOf('.');
            return dot < 0
                    ? new Parts(negative, rest, false, "")
                    : new Parts(negative, rest.substring(0, dot), true, rest.substring(dot + 1));
        }
    }
}

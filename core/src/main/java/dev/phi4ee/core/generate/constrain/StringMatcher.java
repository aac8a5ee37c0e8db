package dev.phi4ee.core.generate.constrain;

import dev.phi4ee.core.generate.constrain.Frame.StrF;

/**
 * Byte-level matching of a JSON string against a {@link StringRule}: the opening quote, raw UTF-8 (well-formed only:
 * no overlong forms, no surrogates, nothing above U+10FFFF; control characters must be escaped), the escapes
 * {@code \" \\ \/ \b \f \n \r \t \\uXXXX} (no surrogate escapes: characters above U+FFFF are written raw), and the
 * closing quote. Each code point, raw or escaped, counts once and drives the pattern automaton; a byte is taken only
 * when some code point it can still be part of is allowed, so a partial character never leads into a dead end.
 */
final class StringMatcher {
    static final int OPEN = 0;
    static final int BODY = 1;
    static final int ESCAPE = 2;
    static final int HEX = 3;
    static final int UTF8 = 4;

    /** Returned by {@link #step} when the closing quote ended the string. */
    static final StrF CLOSED = new StrF(null, -1, 0, 0, 0, 0, 0);

    private StringMatcher() {}

    /** The frame after byte {@code b}, {@link #CLOSED}, or null when {@code b} is not allowed. */
    static StrF step(StrF f, int b) {
        StringRule rule = f.node().rule;
        return switch (f.phase()) {
            case OPEN -> b == '"' ? body(f, 0, 0) : null;
            case BODY -> body(f, b, rule);
            case ESCAPE -> escape(f, b, rule);
            case HEX -> hex(f, b, rule);
            case UTF8 -> continuation(f, b, rule);
            default -> null;
        };
    }

    private static StrF body(StrF f, int count, int dfa) {
        return new StrF(f.node(), BODY, count, dfa, 0, 0, 0);
    }

    private static StrF body(StrF f, int b, StringRule rule) {
        if (b == '"') {
            return rule.canClose(f.dfa(), f.count()) ? CLOSED : null;
        }
        if (b == '\\') {
            return allowedIn(f, 0, 0xFFFF) ? new StrF(f.node(), ESCAPE, f.count(), f.dfa(), 0, 0, 0) : null;
        }
        if (b < 0x20) {
            return null;
        }
        if (b < 0x80) {
            return codePoint(f, b);
        }
        int length;
        int acc;
        if (b >= 0xC2 && b <= 0xDF) {
            length = 2;
            acc = b & 0x1F;
        } else if (b >= 0xE0 && b <= 0xEF) {
            length = 3;
            acc = b & 0x0F;
        } else if (b >= 0xF0 && b <= 0xF4) {
            length = 4;
            acc = b & 0x07;
        } else {
            return null;
        }
        return partial(f, acc, length - 1, length);
    }

    private static StrF continuation(StrF f, int b, StringRule rule) {
        if (b < 0x80 || b > 0xBF) {
            return null;
        }
        int acc = (f.acc() << 6) | (b & 0x3F);
        int pending = f.pending() - 1;
        if (pending > 0) {
            return partial(f, acc, pending, f.length());
        }
        int[] valid = validRange(f.length());
        if (acc < valid[0] || acc > valid[1] || (acc >= 0xD800 && acc <= 0xDFFF)) {
            return null;
        }
        return codePoint(f, acc);
    }

    /** A UTF-8 sequence with {@code pending} continuation bytes to go, if it can still give an allowed character. */
    private static StrF partial(StrF f, int acc, int pending, int length) {
        int lo = acc << (6 * pending);
        int hi = lo | ((1 << (6 * pending)) - 1);
        int[] valid = validRange(length);
        lo = Math.max(lo, valid[0]);
        hi = Math.min(hi, valid[1]);
        return lo <= hi && allowedIn(f, lo, hi)
                ? new StrF(f.node(), UTF8, f.count(), f.dfa(), acc, pending, length)
                : null;
    }

    private static int[] validRange(int length) {
        return switch (length) {
            case 2 -> new int[] {0x80, 0x7FF};
            case 3 -> new int[] {0x800, 0xFFFF};
            default -> new int[] {0x10000, 0x10FFFF};
        };
    }

    private static StrF escape(StrF f, int b, StringRule rule) {
        int cp =
                switch (b) {
                    case '"' -> '"';
                    case '\\' -> '\\';
                    case '/' -> '/';
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case 'u' -> -2;
                    default -> -1;
                };
        if (cp == -2) {
            return allowedIn(f, 0, 0xFFFF) ? new StrF(f.node(), HEX, f.count(), f.dfa(), 0, 0, 0) : null;
        }
        return cp < 0 ? null : codePoint(f, cp);
    }

    private static StrF hex(StrF f, int b, StringRule rule) {
        int d = Character.digit(b, 16);
        if (d < 0 || b > 'f') {
            return null;
        }
        int acc = f.acc() * 16 + d;
        int digits = f.pending() + 1;
        if (digits == 4) {
            return acc >= 0xD800 && acc <= 0xDFFF ? null : codePoint(f, acc);
        }
        int shift = 4 * (4 - digits);
        int lo = acc << shift;
        int hi = lo | ((1 << shift) - 1);
        return allowedIn(f, lo, hi) ? new StrF(f.node(), HEX, f.count(), f.dfa(), acc, digits, 0) : null;
    }

    private static StrF codePoint(StrF f, int cp) {
        StringRule rule = f.node().rule;
        int next = rule.next(f.dfa(), f.count(), cp);
        return next < 0 ? null : body(f, rule.clamp(f.count() + 1), next);
    }

    /** Whether some code point in {@code [lo, hi]}, surrogates excluded, may come next. */
    private static boolean allowedIn(StrF f, int lo, int hi) {
        StringRule rule = f.node().rule;
        return (lo <= 0xD7FF && rule.anyAllowed(f.dfa(), f.count(), lo, Math.min(hi, 0xD7FF)))
                || (hi >= 0xE000 && rule.anyAllowed(f.dfa(), f.count(), Math.max(lo, 0xE000), hi));
    }
}

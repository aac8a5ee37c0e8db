package dev.phi4ee.core.generate.constrain;

import dev.phi4ee.core.generate.constrain.Frame.StrF;
import java.util.Arrays;

/**
 * How each plain token behaves inside the body of a JSON string without a pattern, computed once per vocabulary
 * (xgrammar's context-independent tokens). Such a string constrains only the count of code points, so a token that
 * stays inside the body is allowed exactly when it starts no more code points than the bound leaves — whatever the
 * count, the enclosing structure or the schema. Only the tokens that reach the closing quote depend on what follows the
 * string; they are few (only tokens with a quote) and are run through the automaton one by one. A body state's mask is
 * then a copy of a precomputed bit set plus those few, instead of a walk over the whole trie per count.
 *
 * <p>"Starts" counts a partial UTF-8 sequence or escape at the token's end as one code point: the matcher reserves a
 * count for it as soon as its first byte is taken ({@link StringMatcher}).
 */
final class StringBodyTokens {
    /** Ids of the tokens staying inside, by ascending run (code points they start). */
    private final int[] byRun;
    /** {@code byRunStart[k]}: the index in {@link #byRun} of the first token with a run of at least k. */
    private final int[] byRunStart;
    /** All tokens staying inside. */
    private final long[] inside;
    /** Tokens whose bytes are valid up to an unescaped closing quote. */
    final int[] closing;
    /** The code points each {@link #closing} token starts before its quote. */
    final int[] closingRun;

    /**
     * @param run per id, the code points a token staying inside the body starts; -1 when it closes the string or is
     *     invalid there
     */
    private StringBodyTokens(int[] run, int[] closing, int[] closingRun, int words) {
        this.closing = closing;
        this.closingRun = closingRun;
        int maxRun = 0;
        int insideCount = 0;
        for (int r : run) {
            maxRun = Math.max(maxRun, r);
            insideCount += r >= 0 ? 1 : 0;
        }
        byRunStart = new int[maxRun + 2];
        for (int r : run) {
            if (r >= 0) {
                byRunStart[r + 1]++;
            }
        }
        for (int k = 0; k <= maxRun; k++) {
            byRunStart[k + 1] += byRunStart[k];
        }
        byRun = new int[insideCount];
        inside = new long[words];
        int[] put = Arrays.copyOf(byRunStart, maxRun + 1);
        for (int id = 0; id < run.length; id++) {
            if (run[id] >= 0) {
                byRun[put[run[id]]++] = id;
                inside[id >>> 6] |= 1L << id;
            }
        }
    }

    static StringBodyTokens of(TokenVocabulary v) {
        Node.Str plain = new Node.Str(StringRule.ANY);
        StrF body = new StrF(plain, StringMatcher.BODY, 0, 0, 0, 0, 0);
        int size = v.size();
        int[] run = new int[size];
        int[] closing = new int[size];
        int[] closingRun = new int[size];
        int closingCount = 0;
        for (int id = 0; id < size; id++) {
            run[id] = -1;
            byte[] bytes = v.bytes(id);
            if (bytes == null || bytes.length == 0) {
                continue;
            }
            StrF f = body;
            int started = 0;
            for (int i = 0; i < bytes.length && f != null; i++) {
                if (f.phase() == StringMatcher.BODY && bytes[i] != '"') {
                    started++; // a new code point (raw, escaped or a UTF-8 lead byte) begins
                }
                f = StringMatcher.step(f, bytes[i] & 0xFF);
                if (f == StringMatcher.CLOSED) {
                    closing[closingCount] = id;
                    closingRun[closingCount++] = started;
                    f = null;
                }
            }
            if (f != null) {
                run[id] = started;
            }
        }
        return new StringBodyTokens(
                run, Arrays.copyOf(closing, closingCount), Arrays.copyOf(closingRun, closingCount), (size + 63) >>> 6);
    }

    /**
     * Sets in {@code bits} the tokens staying inside that start at most {@code left} code points ({@code left} < 0:
     * unbounded).
     */
    void insideUpTo(int left, long[] bits) {
        int maxRun = byRunStart.length - 2;
        if (left < 0 || left >= maxRun) {
            System.arraycopy(inside, 0, bits, 0, inside.length);
            return;
        }
        int allowed = byRunStart[left + 1];
        if (allowed <= byRun.length / 2) {
            for (int k = 0; k < allowed; k++) {
                int id = byRun[k];
                bits[id >>> 6] |= 1L << id;
            }
        } else {
            System.arraycopy(inside, 0, bits, 0, inside.length);
            for (int k = allowed; k < byRun.length; k++) {
                int id = byRun[k];
                bits[id >>> 6] &= ~(1L << id);
            }
        }
    }
}

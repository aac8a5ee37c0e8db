package dev.phi4ee.core.generate.constrain;

import dev.phi4ee.core.api.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles the regular-expression subset that JSON Schema {@code pattern} supports here into a {@link CodePointDfa}
 * (docs/decisions/structured-output.md): literals, {@code .}, classes {@code [a-z]} / {@code [^…]}, the escapes
 * {@code \d \w \s \D \W \S \n \r \t \f \v \\uXXXX} and escaped punctuation, groups {@code (…)} / {@code (?:…)},
 * alternation, the quantifiers {@code * + ? {n} {n,} {n,m}} (a lazy {@code ?} suffix is accepted: the language is the
 * same), and {@code ^} / {@code $} as the first / last character of the whole pattern. As in JSON Schema, a pattern
 * without {@code ^} (or {@code $}) may be preceded (followed) by any text. Anything else — back-references,
 * look-around, {@code \b}, Unicode properties, flags — is rejected with an {@link InvalidInputException}. Surrogate code
 * points are never matched.
 */
final class RegexCompiler {
    private static final int MAX_CP = 0x10FFFF;
    private static final int MAX_NFA_STATES = 50_000;
    private static final int MAX_DFA_STATES = 10_000;

    private final String where;
    private final int[] cps;
    private int pos;

    private RegexCompiler(String pattern, String where) {
        this.where = where;
        this.cps = pattern.codePoints().toArray();
    }

    /**
     * @param where the JSON pointer of the keyword, for messages
     * @throws InvalidInputException for unsupported syntax, a pattern too large, or one that matches nothing
     */
    static CodePointDfa compile(String pattern, String where) {
        return new RegexCompiler(pattern, where).compile();
    }

    // ---- syntax tree ----

    private sealed interface Ast permits Chars, Concat, Alt, Repeat, Anchor {}

    /** A set of code points as sorted, disjoint inclusive intervals {@code [lo0, hi0, lo1, hi1, …]}. */
    private record Chars(int[] ranges) implements Ast {}

    private record Concat(List<Ast> items) implements Ast {}

    private record Alt(List<Ast> options) implements Ast {}

    private record Repeat(Ast item, int min, int max) implements Ast {}

    private record Anchor(boolean start) implements Ast {}

    private CodePointDfa compile() {
        Ast root = parseAlternation();
        if (pos < cps.length) {
            throw unsupported("unbalanced ')'");
        }
        List<Ast> items = new ArrayList<>(root instanceof Concat c ? c.items() : List.of(root));
        boolean anchoredStart = !items.isEmpty() && items.getFirst() instanceof Anchor a && a.start();
        if (anchoredStart) {
            items.removeFirst();
        }
        boolean anchoredEnd = !items.isEmpty() && items.getLast() instanceof Anchor a && !a.start();
        if (anchoredEnd) {
            items.removeLast();
        }
        Ast any = new Repeat(new Chars(ANY), 0, -1);
        if (!anchoredStart) {
            items.addFirst(any);
        }
        if (!anchoredEnd) {
            items.add(any);
        }
        Nfa nfa = new Nfa();
        int accept = nfa.state();
        int start = nfa.build(new Concat(items), accept);
        return determinize(nfa, start, accept);
    }

    private InvalidInputException unsupported(String what) {
        return new InvalidInputException("JSON schema: pattern at " + where + ": " + what
                + " is not supported (see docs/decisions/structured-output.md for the regex subset)");
    }

    private Ast parseAlternation() {
        List<Ast> options = new ArrayList<>();
        options.add(parseConcat());
        while (pos < cps.length && cps[pos] == '|') {
            pos++;
            options.add(parseConcat());
        }
        return options.size() == 1 ? options.getFirst() : new Alt(options);
    }

    private Ast parseConcat() {
        List<Ast> items = new ArrayList<>();
        while (pos < cps.length && cps[pos] != '|' && cps[pos] != ')') {
            int at = pos;
            Ast atom = parseAtom();
            if (atom instanceof Anchor a) {
                boolean ok = a.start() ? at == 0 : pos == cps.length;
                if (!ok) {
                    throw unsupported("an anchor that is not the first or last character of the pattern");
                }
                items.add(atom);
                continue;
            }
            items.add(parseQuantifiers(atom));
        }
        return items.size() == 1 ? items.getFirst() : new Concat(items);
    }

    private Ast parseQuantifiers(Ast atom) {
        while (pos < cps.length) {
            int c = cps[pos];
            int min;
            int max;
            if (c == '*') {
                min = 0;
                max = -1;
                pos++;
            } else if (c == '+') {
                min = 1;
                max = -1;
                pos++;
            } else if (c == '?') {
                min = 0;
                max = 1;
                pos++;
            } else if (c == '{' && isCountedRepeat()) {
                pos++;
                min = number();
                max = min;
                if (cps[pos] == ',') {
                    pos++;
                    max = cps[pos] == '}' ? -1 : number();
                }
                pos++; // '}'
                if (max >= 0 && max < min) {
                    throw unsupported("the repeat {" + min + "," + max + "}");
                }
                if (Math.max(min, max) > 1000) {
                    throw unsupported("a repeat count above 1000");
                }
            } else {
                return atom;
            }
            if (pos < cps.length && cps[pos] == '?') {
                pos++; // lazy: same language
            } else if (pos < cps.length && cps[pos] == '+') {
                throw unsupported("a possessive quantifier");
            }
            atom = new Repeat(atom, min, max);
        }
        return atom;
    }

    private boolean isCountedRepeat() {
        int p = pos + 1;
        int digits = 0;
        while (p < cps.length && Character.isDigit(cps[p]) && cps[p] < 128) {
            p++;
            digits++;
        }
        if (digits == 0 || p >= cps.length) {
            return false;
        }
        if (cps[p] == '}') {
            return true;
        }
        if (cps[p] != ',') {
            return false;
        }
        p++;
        while (p < cps.length && Character.isDigit(cps[p]) && cps[p] < 128) {
            p++;
        }
        return p < cps.length && cps[p] == '}';
    }

    private int number() {
        int v = 0;
        while (cps[pos] >= '0' && cps[pos] <= '9') {
            v = Math.min(1_000_000, v * 10 + (cps[pos++] - '0'));
        }
        return v;
    }

    private Ast parseAtom() {
        int c = cps[pos++];
        switch (c) {
            case '(' -> {
                if (pos < cps.length && cps[pos] == '?') {
                    if (pos + 1 < cps.length && cps[pos + 1] == ':') {
                        pos += 2;
                    } else {
                        throw unsupported("the group syntax (?"
                                + (pos + 1 < cps.length ? Character.toString(cps[pos + 1]) : "") + "…)");
                    }
                }
                Ast inner = parseAlternation();
                if (pos >= cps.length || cps[pos] != ')') {
                    throw unsupported("an unclosed group");
                }
                pos++;
                return inner;
            }
            case '[' -> {
                return parseClass();
            }
            case '.' -> {
                return new Chars(DOT);
            }
            case '^' -> {
                return new Anchor(true);
            }
            case '$' -> {
                return new Anchor(false);
            }
            case '\\' -> {
                return new Chars(escape(false));
            }
            case '*', '+', '?', '{', '}', ')', '|' -> {
                if (c == '{' || c == '}') {
                    return new Chars(single(c)); // a brace that is no counted repeat is a literal (as in ECMA-262)
                }
                throw unsupported("a quantifier with nothing to repeat");
            }
            default -> {
                return new Chars(single(c));
            }
        }
    }

    private Chars parseClass() {
        boolean negate = pos < cps.length && cps[pos] == '^';
        if (negate) {
            pos++;
        }
        List<int[]> parts = new ArrayList<>();
        boolean first = true;
        while (true) {
            if (pos >= cps.length) {
                throw unsupported("an unclosed character class");
            }
            int c = cps[pos];
            if (c == ']' && !first) {
                pos++;
                break;
            }
            first = false;
            pos++;
            int[] item;
            int lo;
            if (c == '\\') {
                item = escape(true);
                if (item.length != 2 || item[0] != item[1]) {
                    parts.add(item);
                    continue;
                }
                lo = item[0];
            } else if (c == '[' && pos < cps.length && (cps[pos] == ':' || cps[pos] == '=' || cps[pos] == '.')) {
                throw unsupported("a POSIX class");
            } else {
                lo = c;
            }
            if (pos + 1 < cps.length && cps[pos] == '-' && cps[pos + 1] != ']') {
                pos++;
                int hi = cps[pos++];
                if (hi == '\\') {
                    int[] e = escape(true);
                    if (e.length != 2 || e[0] != e[1]) {
                        throw unsupported("a class escape as a range end");
                    }
                    hi = e[0];
                }
                if (hi < lo) {
                    throw unsupported("the reversed range " + Character.toString(lo) + "-" + Character.toString(hi));
                }
                parts.add(new int[] {lo, hi});
            } else {
                parts.add(single(lo));
            }
        }
        int[] set = union(parts);
        return new Chars(negate ? complement(set) : withoutSurrogates(set));
    }

    /** After a backslash: a class escape, a control escape, {@code \\uXXXX}, or escaped punctuation. */
    private int[] escape(boolean inClass) {
        if (pos >= cps.length) {
            throw unsupported("a trailing backslash");
        }
        int c = cps[pos++];
        return switch (c) {
            case 'd' -> DIGIT;
            case 'w' -> WORD;
            case 's' -> SPACE;
            case 'D' -> complement(DIGIT);
            case 'W' -> complement(WORD);
            case 'S' -> complement(SPACE);
            case 'n' -> single('\n');
            case 'r' -> single('\r');
            case 't' -> single('\t');
            case 'f' -> single('\f');
            case 'v' -> single(0x0B);
            case 'u' -> {
                if (pos + 4 > cps.length) {
                    throw unsupported("a short \\u escape");
                }
                int v = 0;
                for (int i = 0; i < 4; i++) {
                    int d = Character.digit(cps[pos++], 16);
                    if (d < 0) {
                        throw unsupported("a \\u escape without 4 hex digits");
                    }
                    v = v * 16 + d;
                }
                if (v >= 0xD800 && v <= 0xDFFF) {
                    throw unsupported("a surrogate \\u escape");
                }
                yield single(v);
            }
            default -> {
                if (c < 128 && !Character.isLetterOrDigit(c)) {
                    yield single(c); // \. \\ \- \[ …
                }
                if (inClass && c == 'b') {
                    throw unsupported("\\b in a class");
                }
                throw unsupported("the escape \\" + Character.toString(c));
            }
        };
    }

    // ---- code point sets ----

    private static final int[] ANY = {0, 0xD7FF, 0xE000, MAX_CP};
    /** {@code .}: any code point but the line terminators of ECMA-262 and java.util.regex. */
    private static final int[] DOT = {0, 9, 11, 12, 14, 0x84, 0x86, 0x2027, 0x202A, 0xD7FF, 0xE000, MAX_CP};

    private static final int[] DIGIT = {'0', '9'};
    private static final int[] WORD = {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'};
    private static final int[] SPACE = {'\t', '\r', ' ', ' '};

    private static int[] single(int c) {
        return new int[] {c, c};
    }

    private static int[] union(List<int[]> sets) {
        List<int[]> ranges = new ArrayList<>();
        for (int[] s : sets) {
            for (int i = 0; i < s.length; i += 2) {
                ranges.add(new int[] {s[i], s[i + 1]});
            }
        }
        ranges.sort((a, b) -> Integer.compare(a[0], b[0]));
        int[] out = new int[ranges.size() * 2];
        int n = 0;
        for (int[] r : ranges) {
            if (n > 0 && r[0] <= out[n - 1] + 1) {
                out[n - 1] = Math.max(out[n - 1], r[1]);
            } else {
                out[n++] = r[0];
                out[n++] = r[1];
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static int[] complement(int[] set) {
        int[] out = new int[set.length + 2];
        int n = 0;
        int next = 0;
        for (int i = 0; i < set.length; i += 2) {
            if (set[i] > next) {
                out[n++] = next;
                out[n++] = set[i] - 1;
            }
            next = set[i + 1] + 1;
        }
        if (next <= MAX_CP) {
            out[n++] = next;
            out[n++] = MAX_CP;
        }
        return withoutSurrogates(Arrays.copyOf(out, n));
    }

    private static int[] withoutSurrogates(int[] set) {
        int[] out = new int[set.length + 2];
        int n = 0;
        for (int i = 0; i < set.length; i += 2) {
            int lo = set[i];
            int hi = set[i + 1];
            if (lo < 0xD800) {
                out[n++] = lo;
                out[n++] = Math.min(hi, 0xD7FF);
            }
            if (hi > 0xDFFF) {
                out[n++] = Math.max(lo, 0xE000);
                out[n++] = hi;
            }
        }
        return Arrays.copyOf(out, n);
    }

    // ---- Thompson NFA ----

    private final class Nfa {
        final List<int[]> edges = new ArrayList<>(); // per state: [lo, hi, target, lo, hi, target, …]
        final List<int[]> epsilons = new ArrayList<>();
        final int[] none = new int[0];

        int state() {
            if (edges.size() >= MAX_NFA_STATES) {
                throw unsupported("a pattern this large");
            }
            edges.add(none);
            epsilons.add(none);
            return edges.size() - 1;
        }

        void edge(int from, int lo, int hi, int to) {
            int[] e = edges.get(from);
            int[] n = Arrays.copyOf(e, e.length + 3);
            n[e.length] = lo;
            n[e.length + 1] = hi;
            n[e.length + 2] = to;
            edges.set(from, n);
        }

        void epsilon(int from, int to) {
            int[] e = epsilons.get(from);
            int[] n = Arrays.copyOf(e, e.length + 1);
            n[e.length] = to;
            epsilons.set(from, n);
        }

        /** Builds {@code ast} so that it ends in {@code next}; returns its start state. */
        int build(Ast ast, int next) {
            return switch (ast) {
                case Chars c -> {
                    int s = state();
                    for (int i = 0; i < c.ranges().length; i += 2) {
                        edge(s, c.ranges()[i], c.ranges()[i + 1], next);
                    }
                    yield s;
                }
                case Concat c -> {
                    int at = next;
                    for (int i = c.items().size() - 1; i >= 0; i--) {
                        at = build(c.items().get(i), at);
                    }
                    yield at;
                }
                case Alt a -> {
                    int s = state();
                    for (Ast option : a.options()) {
                        epsilon(s, build(option, next));
                    }
                    yield s;
                }
                case Repeat r -> buildRepeat(r, next);
                case Anchor a -> throw unsupported("an anchor inside a group");
            };
        }

        private int buildRepeat(Repeat r, int next) {
            int at = next;
            if (r.max() < 0) {
                int loop = state();
                epsilon(loop, next);
                epsilon(loop, build(r.item(), loop));
                at = loop;
            } else {
                for (int i = r.min(); i < r.max(); i++) {
                    int optional = state();
                    epsilon(optional, next);
                    epsilon(optional, build(r.item(), at));
                    at = optional;
                }
            }
            for (int i = 0; i < r.min(); i++) {
                at = build(r.item(), at);
            }
            return at;
        }

        int[] closure(int[] states) {
            BitSet seen = new BitSet();
            int[] stack = new int[64];
            int top = 0;
            for (int s : states) {
                if (!seen.get(s)) {
                    seen.set(s);
                    if (top == stack.length) {
                        stack = Arrays.copyOf(stack, top * 2);
                    }
                    stack[top++] = s;
                }
            }
            while (top > 0) {
                int s = stack[--top];
                for (int t : epsilons.get(s)) {
                    if (!seen.get(t)) {
                        seen.set(t);
                        if (top == stack.length) {
                            stack = Arrays.copyOf(stack, top * 2);
                        }
                        stack[top++] = t;
                    }
                }
            }
            return seen.stream().toArray();
        }
    }

    // ---- subset construction ----

    private CodePointDfa determinize(Nfa nfa, int start, int accept) {
        Map<List<Integer>, Integer> ids = new HashMap<>();
        List<int[]> sets = new ArrayList<>();
        List<int[]> rawStarts = new ArrayList<>();
        List<int[]> rawEnds = new ArrayList<>();
        List<int[]> rawTargets = new ArrayList<>();
        int[] first = nfa.closure(new int[] {start});
        ids.put(key(first), 0);
        sets.add(first);
        for (int d = 0; d < sets.size(); d++) {
            int[] members = sets.get(d);
            List<Integer> bounds = new ArrayList<>();
            for (int s : members) {
                int[] e = nfa.edges.get(s);
                for (int i = 0; i < e.length; i += 3) {
                    bounds.add(e[i]);
                    bounds.add(e[i + 1] + 1);
                }
            }
            int[] b = bounds.stream()
                    .mapToInt(Integer::intValue)
                    .sorted()
                    .distinct()
                    .toArray();
            List<int[]> out = new ArrayList<>(); // [lo, hi, target]
            for (int k = 0; k + 1 < b.length; k++) {
                int lo = b[k];
                int hi = b[k + 1] - 1;
                BitSet targets = new BitSet();
                for (int s : members) {
                    int[] e = nfa.edges.get(s);
                    for (int i = 0; i < e.length; i += 3) {
                        if (e[i] <= lo && hi <= e[i + 1]) {
                            targets.set(e[i + 2]);
                        }
                    }
                }
                if (targets.isEmpty()) {
                    continue;
                }
                int[] closed = nfa.closure(targets.stream().toArray());
                Integer id = ids.get(key(closed));
                if (id == null) {
                    if (sets.size() >= MAX_DFA_STATES) {
                        throw unsupported("a pattern this complex");
                    }
                    id = sets.size();
                    ids.put(key(closed), id);
                    sets.add(closed);
                }
                if (!out.isEmpty() && out.getLast()[2] == id && out.getLast()[1] == lo - 1) {
                    out.getLast()[1] = hi;
                } else {
                    out.add(new int[] {lo, hi, id});
                }
            }
            rawStarts.add(out.stream().mapToInt(r -> r[0]).toArray());
            rawEnds.add(out.stream().mapToInt(r -> r[1]).toArray());
            rawTargets.add(out.stream().mapToInt(r -> r[2]).toArray());
        }
        int n = sets.size();
        boolean[] accepting = new boolean[n];
        for (int d = 0; d < n; d++) {
            accepting[d] = Arrays.binarySearch(sets.get(d), accept) >= 0;
        }
        boolean[] live = liveStates(n, accepting, rawTargets);
        if (!live[0]) {
            throw new InvalidInputException("JSON schema: pattern at " + where + " matches no string");
        }
        int[] renumber = new int[n];
        int count = 0;
        for (int d = 0; d < n; d++) {
            renumber[d] = live[d] ? count++ : -1;
        }
        int[][] starts = new int[count][];
        int[][] ends = new int[count][];
        int[][] targets = new int[count][];
        boolean[] acc = new boolean[count];
        for (int d = 0; d < n; d++) {
            if (!live[d]) {
                continue;
            }
            int r = renumber[d];
            int[] t = rawTargets.get(d);
            int keep = 0;
            for (int target : t) {
                keep += live[target] ? 1 : 0;
            }
            starts[r] = new int[keep];
            ends[r] = new int[keep];
            targets[r] = new int[keep];
            for (int i = 0, j = 0; i < t.length; i++) {
                if (live[t[i]]) {
                    starts[r][j] = rawStarts.get(d)[i];
                    ends[r][j] = rawEnds.get(d)[i];
                    targets[r][j] = renumber[t[i]];
                    j++;
                }
            }
            acc[r] = accepting[d];
        }
        return new CodePointDfa(starts, ends, targets, acc);
    }

    private static boolean[] liveStates(int n, boolean[] accepting, List<int[]> targets) {
        boolean[] live = accepting.clone();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int d = 0; d < n; d++) {
                if (!live[d]) {
                    for (int t : targets.get(d)) {
                        if (live[t]) {
                            live[d] = true;
                            changed = true;
                            break;
                        }
                    }
                }
            }
        }
        return live;
    }

    private static List<Integer> key(int[] states) {
        return Arrays.stream(states).boxed().toList();
    }
}

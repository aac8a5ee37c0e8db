package dev.phi4ee.core.generate.constrain;

import dev.phi4ee.core.generate.constrain.Frame.StrF;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A {@link Grammar} over one engine's vocabulary, determinised lazily: each distinct set of parse stacks becomes a
 * {@link State} once, with its transitions per symbol filled in on first use and its {@link TokenMask} computed on
 * first use by one walk of the token trie (cached on the state). Counts and numbers are canonicalised in the frames, so
 * the states of a non-recursive schema are finitely many; the table is still bounded ({@link #MAX_STATES}, {@link
 * #MAX_MASK_BYTES}): past a bound it starts afresh, while states held by running requests stay valid. Used by one engine
 * thread; not thread-safe.
 */
final class GrammarAutomaton {
    static final int MAX_STATES = 50_000;
    static final long MAX_MASK_BYTES = 64L << 20;

    /** The successor of a symbol no stack can take. */
    static final State DEAD = new State(new Stack[0], 0);

    final Grammar grammar;
    final TokenVocabulary vocabulary;
    private final int[] eosIds;
    /** Token id of each special symbol ({@code 256 + i}); -1 when the tokenizer lacks it. */
    private final int[] specialIds;

    private final int symbols;
    private Map<Set<Stack>, State> states = new HashMap<>();
    private long maskBytes;
    private State start;

    // trie-walk scratch
    private int[] walkNodes = new int[1024];
    private State[] walkStates = new State[1024];

    /** An interned set of parse stacks. */
    static final class State {
        final Stack[] stacks;
        final boolean accepting;
        /** Accepting with nothing else possible: only the end of sequence may follow. */
        final boolean complete;

        final State[] next;
        TokenMask mask;

        State(Stack[] stacks, int symbols) {
            this.stacks = stacks;
            boolean end = false;
            for (Stack s : stacks) {
                end |= s == Stack.EMPTY;
            }
            this.accepting = end;
            this.complete = end && stacks.length == 1;
            this.next = new State[symbols];
        }
    }

    GrammarAutomaton(Grammar grammar, TokenVocabulary vocabulary, int[] eosIds, int[] specialIds) {
        this.grammar = grammar;
        this.vocabulary = vocabulary;
        this.eosIds = eosIds.clone();
        this.specialIds = specialIds.clone();
        this.symbols = grammar.symbols();
    }

    /** The state before any symbol. */
    State start() {
        if (start == null) {
            Set<Stack> s = new LinkedHashSet<>();
            ParseStep.expand(grammar.root, Stack.EMPTY, s);
            start = intern(s);
        }
        return start;
    }

    /** The state after {@code symbol}, or {@link #DEAD}. */
    State next(State state, int symbol) {
        State t = state.next[symbol];
        if (t == null) {
            Set<Stack> out = new LinkedHashSet<>();
            for (Stack s : state.stacks) {
                ParseStep.step(s, symbol, out);
            }
            t = out.isEmpty() ? DEAD : intern(out);
            state.next[symbol] = t;
        }
        return t;
    }

    /** The state after the bytes (or special symbol) of {@code tokenId}, or {@link #DEAD}. */
    State advance(State state, int tokenId) {
        for (int i = 0; i < specialIds.length; i++) {
            if (specialIds[i] == tokenId) {
                return next(state, 256 + i);
            }
        }
        byte[] bytes = vocabulary.bytes(tokenId);
        if (bytes == null) {
            return DEAD;
        }
        State s = state;
        for (int i = 0; i < bytes.length && s != DEAD; i++) {
            s = next(s, bytes[i] & 0xFF);
        }
        return s;
    }

    private State intern(Set<Stack> stacks) {
        State s = states.get(stacks);
        if (s == null) {
            if (states.size() >= MAX_STATES) {
                states = new HashMap<>(); // held states stay valid; the table is rebuilt as they are reached
                maskBytes = 0;
            }
            s = new State(stacks.toArray(Stack[]::new), symbols);
            states.put(Set.copyOf(stacks), s);
        }
        return s;
    }

    /** The ids allowed in {@code state}: plain tokens whose bytes it takes, special symbols, EOS when accepting. */
    TokenMask mask(State state) {
        if (state.mask == null) {
            state.mask = computeMask(state);
            maskBytes += state.mask.bytes();
            if (maskBytes > MAX_MASK_BYTES) {
                dropMasks(state);
            }
        }
        return state.mask;
    }

    private void dropMasks(State keep) {
        for (State s : states.values()) {
            if (s != keep) {
                s.mask = null;
            }
        }
        maskBytes = keep.mask.bytes();
    }

    /**
     * The mask: inside a string without a pattern, from the vocabulary's precomputed {@link StringBodyTokens};
     * elsewhere by a walk of the token trie that prunes at the first byte the grammar rejects.
     */
    TokenMask computeMask(State state) {
        long[] bits = new long[(vocabulary.size() + 63) >>> 6];
        if (plainStringBody(state) instanceof StrF f) {
            stringBodyTokens(state, f, bits);
        } else {
            walkTrie(state, bits);
        }
        for (int i = 0; i < specialIds.length; i++) {
            if (specialIds[i] >= 0 && next(state, 256 + i) != DEAD) {
                bits[specialIds[i] >>> 6] |= 1L << specialIds[i];
            }
        }
        if (state.accepting) {
            for (int id : eosIds) {
                bits[id >>> 6] |= 1L << id;
            }
        }
        return new TokenMask(bits);
    }

    /** The string frame when {@code state} is one parse inside a string body without a pattern, else null. */
    static StrF plainStringBody(State state) {
        if (state.stacks.length == 1
                && state.stacks[0].top instanceof StrF f
                && f.phase() == StringMatcher.BODY
                && f.node().rule.dfa == null) {
            return f;
        }
        return null;
    }

    /**
     * The tokens staying inside that fit the code points left, plus the closing tokens the automaton takes (the only
     * ones that depend on what follows the string).
     */
    private void stringBodyTokens(State state, StrF f, long[] bits) {
        StringBodyTokens body = vocabulary.stringBody();
        StringRule rule = f.node().rule;
        int left = rule.max < 0 ? -1 : rule.max - f.count();
        body.insideUpTo(left, bits);
        for (int k = 0; k < body.closing.length; k++) {
            int id = body.closing[k];
            if ((left < 0 || body.closingRun[k] <= left) && advance(state, id) != DEAD) {
                bits[id >>> 6] |= 1L << id;
            }
        }
    }

    /** Sets the plain tokens {@code state} takes by one walk of the trie. */
    private void walkTrie(State state, long[] bits) {
        TokenVocabulary v = vocabulary;
        int top = 0;
        walkNodes[top] = 0;
        walkStates[top++] = state;
        while (top > 0) {
            int node = walkNodes[--top];
            State s = walkStates[top];
            for (int e = v.childStart[node], end = v.childStart[node + 1]; e < end; e++) {
                State t = next(s, v.label[e] & 0xFF);
                if (t == DEAD) {
                    continue;
                }
                int c = v.child[e];
                for (int k = v.tokenStart[c], kEnd = v.tokenStart[c + 1]; k < kEnd; k++) {
                    int id = v.tokenIds[k];
                    bits[id >>> 6] |= 1L << id;
                }
                if (v.childStart[c] < v.childStart[c + 1]) {
                    if (top == walkNodes.length) {
                        walkNodes = java.util.Arrays.copyOf(walkNodes, top * 2);
                        walkStates = java.util.Arrays.copyOf(walkStates, top * 2);
                    }
                    walkNodes[top] = c;
                    walkStates[top++] = t;
                }
            }
        }
    }
}

package dev.phi4ee.core.generate.constrain;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * One engine's constrained-decoding tables: its vocabulary as a token trie and string-body table (built on first use,
 * ~0.3 s for 200k tokens) and an automaton per grammar in use (the {@link #MAX_GRAMMARS} most recent), each caching its states' masks.
 * Used from the engine thread.
 */
public final class ConstraintTables {
    static final int MAX_GRAMMARS = 32;

    private final int vocabSize;
    private final IntFunction<byte[]> plainBytes;
    private final ToIntFunction<String> controlTokenId;
    private final int[] eosIds;
    private TokenVocabulary vocabulary;
    private final Map<Grammar, GrammarAutomaton> automata = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Grammar, GrammarAutomaton> eldest) {
            return size() > MAX_GRAMMARS;
        }
    };
    private final Map<String, Integer> controlIds = new HashMap<>();

    /**
     * @param vocabSize entries of a logits row
     * @param plainBytes bytes of a plain token id; null for control tokens and unused ids
     * @param controlTokenId id of a control (added) token by its content, -1 when the tokenizer lacks it
     * @param eosIds end-of-sequence ids
     */
    public ConstraintTables(
            int vocabSize, IntFunction<byte[]> plainBytes, ToIntFunction<String> controlTokenId, int[] eosIds) {
        this.vocabSize = vocabSize;
        this.plainBytes = plainBytes;
        this.controlTokenId = controlTokenId;
        this.eosIds = eosIds.clone();
    }

    /** Tables over an already built vocabulary (tests, benchmarks). */
    public ConstraintTables(TokenVocabulary vocabulary, ToIntFunction<String> controlTokenId, int[] eosIds) {
        this(vocabulary.size(), vocabulary::bytes, controlTokenId, eosIds);
        this.vocabulary = vocabulary;
    }

    synchronized TokenVocabulary vocabulary() {
        if (vocabulary == null) {
            vocabulary = TokenVocabulary.of(vocabSize, plainBytes);
            vocabulary.stringBody(); // with the trie, rather than on the first string state mid-answer
        }
        return vocabulary;
    }

    synchronized GrammarAutomaton automaton(Grammar grammar) {
        GrammarAutomaton a = automata.get(grammar);
        if (a == null) {
            List<String> specials = grammar.specialTokens;
            int[] ids = new int[specials.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = controlId(specials.get(i));
            }
            a = new GrammarAutomaton(grammar, vocabulary(), eosIds, ids);
            automata.put(grammar, a);
        }
        return a;
    }

    /** The id of a control token by content; -1 when the tokenizer has none. */
    public synchronized int controlId(String content) {
        return controlIds.computeIfAbsent(content, controlTokenId::applyAsInt);
    }

    /**
     * {@code constraint} bound to these tables, or null when it constrains nothing and parses no tool calls.
     *
     * @throws dev.phi4ee.core.api.InvalidInputException when the grammar needs a control token the tokenizer lacks
     */
    public RequestConstraint bind(DecodingConstraint constraint) {
        if (!constraint.constrains() && !constraint.toolCalls()) {
            return null;
        }
        if (constraint.grammar() != null) {
            for (String special : constraint.grammar().specialTokens) {
                if (controlId(special) < 0) {
                    throw new dev.phi4ee.core.api.InvalidInputException(
                            "tool calls need the control token " + special + ", which the tokenizer does not have");
                }
            }
        }
        return new RequestConstraint(constraint, this);
    }

    /** A decoder for one request under {@code constraint}, or null when nothing constrains it. */
    ConstrainedDecoder newDecoder(DecodingConstraint constraint) {
        if (constraint == null || constraint.grammar() == null) {
            return null;
        }
        Grammar g = constraint.grammar();
        int trigger = g.trigger == null ? -1 : controlId(g.trigger);
        if (g.trigger != null && trigger < 0) {
            return null; // the tokenizer has no call token: the model cannot start a call
        }
        return new ConstrainedDecoder(automaton(g), trigger, vocabSize);
    }

    /** The ids of {@code constraint}'s banned tokens that the tokenizer has. */
    int[] bannedIds(DecodingConstraint constraint) {
        if (constraint == null) {
            return new int[0];
        }
        return constraint.bannedTokens().stream()
                .mapToInt(this::controlId)
                .filter(id -> id >= 0)
                .toArray();
    }
}

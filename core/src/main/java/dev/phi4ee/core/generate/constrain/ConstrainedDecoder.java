package dev.phi4ee.core.generate.constrain;

import dev.phi4ee.core.api.TensorFloatType;
import dev.phi4ee.core.generate.sampling.LogitsRow;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * One request's position in its grammar. Each step, {@link #mask} gives the logits with every token the grammar does
 * not allow at negative infinity — a filter applied before the request's sampler, so greedy decoding, temperature,
 * top-k/top-p/min-p and the repetition penalty all see only allowed tokens — and {@link #accept} moves past the chosen
 * token. With a trigger (tool calls in {@code auto} mode) decoding is free until the trigger token is chosen. One
 * instance per request; its buffers (two rows of floats) are allocated once.
 */
public final class ConstrainedDecoder {
    private final GrammarAutomaton automaton;
    private final int trigger;
    private final int size;
    private GrammarAutomaton.State state;
    private boolean active;

    private float[] widened;
    private float[] masked;
    private FloatBuffer maskedView;
    private LogitsRow maskedRow;
    private int[] chunk;

    ConstrainedDecoder(GrammarAutomaton automaton, int trigger, int size) {
        this.automaton = automaton;
        this.trigger = trigger;
        this.size = size;
        this.active = trigger < 0;
        this.state = automaton.start();
    }

    /** Whether the grammar is in force (false only before the trigger token). */
    public boolean active() {
        return active;
    }

    /** Whether the document is complete and nothing may follow but the end of the sequence. */
    public boolean complete() {
        return active && state.complete;
    }

    /**
     * The row to choose from: {@code logits} itself while inactive, else a copy with the disallowed tokens at negative
     * infinity (valid until the next call); null when the grammar allows nothing (a recursion deeper than the nesting
     * bound).
     */
    public LogitsRow mask(LogitsRow logits) {
        if (!active) {
            return logits;
        }
        TokenMask m = automaton.mask(state);
        if (m.count == 0) {
            return null;
        }
        if (masked == null) {
            widened = new float[size];
            masked = new float[size];
            chunk = new int[2048];
            ByteBuffer b = ByteBuffer.allocate(size * Float.BYTES).order(ByteOrder.nativeOrder());
            maskedView = b.asFloatBuffer();
            maskedRow = LogitsRow.of(b, TensorFloatType.FLOAT32, 0, size);
        }
        logits.copyTo(widened, chunk);
        m.apply(widened, masked, size);
        maskedView.put(0, masked, 0, size);
        return maskedRow;
    }

    /** Moves past {@code token} (not an end-of-sequence id). */
    public void accept(int token) {
        if (!active) {
            if (token == trigger) {
                active = true;
                state = automaton.advance(state, token);
            }
            return;
        }
        GrammarAutomaton.State next = automaton.advance(state, token);
        if (next == GrammarAutomaton.DEAD) {
            throw new IllegalStateException("token " + token + " is not allowed by " + automaton.grammar);
        }
        state = next;
    }

    /** Whether {@code token} is allowed now (for tests). */
    boolean allows(int token) {
        return !active || automaton.mask(state).allows(token);
    }
}

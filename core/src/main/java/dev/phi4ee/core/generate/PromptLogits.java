package dev.phi4ee.core.generate;

import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.ort.Tensor;

/**
 * The {@code [1, n, vocab]} logits output of a prompt run, which decoding reads one row of. One buffer, grown up to
 * {@code reusable} positions, serves every prefill chunk up to that size (a 512-position chunk is 205 MB in fp16: allocating
 * and zero-filling it per chunk cost more than the copy it feeds); a longer run (the first chunk of a prompt past the
 * LongRoPE switch) gets a temporary one. Shared by the sessions of one engine thread, never by two threads.
 */
final class PromptLogits implements AutoCloseable {
    private final Placement placement;
    private final ElementType type;
    private final int vocab;
    private final int reusable;
    private Tensor buffer;

    PromptLogits(Phi4Graphs graphs, int reusable) {
        this.placement = graphs.placement();
        this.type = graphs.logitsType();
        this.vocab = graphs.config().vocabSize();
        this.reusable = reusable;
    }

    /** A {@code [1, n, vocab]} tensor for one run; the caller closes it (a view of the shared buffer, or its own). */
    Tensor take(int n) {
        return take(1, n);
    }

    /** A {@code [rows, n, vocab]} tensor for one batched prompt run, as {@link #take(int)}. */
    Tensor take(int rows, int n) {
        int needed = Math.multiplyExact(rows, n);
        if (needed > reusable) {
            return placement.allocate(type, rows, n, vocab);
        }
        int positions = buffer == null ? 0 : (int) buffer.dim(1);
        if (positions < needed) { // grows by doubling up to the reusable size: short prompts keep a small buffer
            int grown = Math.min(reusable, Math.max(needed, 2 * positions));
            Tensor larger = placement.allocate(type, 1, grown, vocab);
            if (buffer != null) {
                buffer.close();
            }
            buffer = larger;
        }
        return buffer.region(0, rows, n, vocab);
    }

    @Override
    public void close() {
        if (buffer != null) {
            buffer.close();
            buffer = null;
        }
    }
}

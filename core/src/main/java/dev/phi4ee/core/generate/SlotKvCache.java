package dev.phi4ee.core.generate;

import dev.phi4ee.core.ort.Binding;
import dev.phi4ee.core.ort.Tensor;

/**
 * One sequence's view of a {@link SlotKvPool}: batch-1 runs (prefill, the LongRoPE re-prefill) bind the
 * {@code [1, kv_heads, max_length, head_size]} view of its current slot. Compaction moves the sequence to another
 * slot ({@link #moveTo}); the next bind then binds the new slot's view.
 */
final class SlotKvCache implements KvCache {
    private final SlotKvPool pool;
    private int slot;
    private Binding boundTo;
    private int boundSlot = -1;

    SlotKvCache(SlotKvPool pool, int slot) {
        this.pool = pool;
        this.slot = slot;
    }

    int slot() {
        return slot;
    }

    /** The sequence's data now lives in {@code newSlot} (the caller copied it there). */
    void moveTo(int newSlot) {
        this.slot = newSlot;
    }

    @Override
    public void bind(Binding decoder, int pastLength, int newTokens) {
        if (pastLength + newTokens > pool.maxLength()) {
            throw new IllegalStateException(
                    "KV cache of " + pool.maxLength() + " tokens cannot take " + pastLength + " + " + newTokens);
        }
        if (boundTo == decoder && boundSlot == slot) {
            return;
        }
        pool.bind(decoder, slot, 1);
        boundTo = decoder;
        boundSlot = slot;
    }

    @Override
    public void unbind() {
        boundTo = null;
    }

    @Override
    public void commit() {}

    @Override
    public void reset() {
        // The mask length tells GroupQueryAttention how many rows are valid; stale rows are overwritten.
    }

    @Override
    public int capacity() {
        return pool.maxLength();
    }

    @Override
    public void prepare(int positions) {
        if (positions > pool.maxLength()) {
            throw new IllegalStateException("KV cache of " + pool.maxLength() + " tokens cannot take " + positions);
        }
    }

    @Override
    public Tensor tensor(int layer, boolean values) {
        return pool.layer(layer, values);
    }

    @Override
    public long headOffset(int head) {
        return pool.headOffset(slot, head);
    }

    @Override
    public void close() {
        boundTo = null; // the pool owns the memory
    }
}

package dev.phi4ee.core.generate;

import dev.phi4ee.core.generate.prefix.KvRows;
import dev.phi4ee.core.ort.Binding;

/**
 * The decoder's past/present key-value tensors of one sequence (reference §4.3). Implementations bind them into the
 * decoder's IoBinding before a run and take the run's presents as the next run's pasts afterwards. As {@link KvRows}
 * they expose the cached positions for prefix copies ({@code generate.prefix}).
 */
interface KvCache extends KvRows, AutoCloseable {
    /**
     * Empties the cache and makes room for {@code positions} cached positions written from outside (a reused prefix,
     * copied through {@link KvRows} before the next run, which then starts at that past length).
     */
    void prepare(int positions);

    /** Binds pasts and presents for a run that appends {@code newTokens} to {@code pastLength} cached tokens. */
    void bind(Binding decoder, int pastLength, int newTokens);

    /** Forgets that the tensors are bound (the binding was cleared); the next {@link #bind} binds them again. */
    void unbind();

    /** Called after a successful run bound with {@link #bind}. */
    void commit();

    /** Forgets every cached token (the next run starts from an empty past). */
    void reset();

    /** Most tokens (past + new) one sequence may hold. */
    int capacity();

    @Override
    void close();
}

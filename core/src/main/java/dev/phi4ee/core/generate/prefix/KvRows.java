package dev.phi4ee.core.generate.prefix;

import dev.phi4ee.core.ort.Tensor;

/**
 * Where one sequence's cached keys and values live, for copies of whole position ranges: for every layer one keys
 * and one values tensor in which each KV head's positions are consecutive rows of {@code head_size} elements (the
 * {@code [batch, kv_heads, length, head_size]} layout of the decoder's past and present, reference §4.3).
 */
public interface KvRows {
    /** The tensor holding {@code layer}'s keys ({@code values} false) or values. */
    Tensor tensor(int layer, boolean values);

    /** Byte offset in {@link #tensor} of {@code head}'s position 0 (the same for keys and values). */
    long headOffset(int head);
}

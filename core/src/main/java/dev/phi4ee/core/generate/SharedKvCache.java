package dev.phi4ee.core.generate;

import dev.phi4ee.core.model.DecoderConfig;
import dev.phi4ee.core.ort.Binding;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.ort.Tensor;

/**
 * past_present_share_buffer mode (reference §4.3): one {@code [1, kv_heads, max_length, head_size]} tensor per layer
 * and kind, bound as both the past input and the present output. GroupQueryAttention sees equal pointers, reads the
 * valid prefix from the attention mask's length and writes the new rows in place, so a step costs no copy and no
 * allocation whatever the context length.
 */
final class SharedKvCache implements KvCache {
    private final DecoderConfig config;
    private final int maxLength;
    private final Tensor[] keys;
    private final Tensor[] values;
    private Binding boundTo;

    SharedKvCache(DecoderConfig config, ElementType type, int maxLength, Placement placement) {
        this.config = config;
        this.maxLength = maxLength;
        int layers = config.numHiddenLayers();
        this.keys = new Tensor[layers];
        this.values = new Tensor[layers];
        try {
            for (int i = 0; i < layers; i++) {
                keys[i] = placement.allocateNative(type, 1, config.numKeyValueHeads(), maxLength, config.headSize());
                values[i] = placement.allocateNative(type, 1, config.numKeyValueHeads(), maxLength, config.headSize());
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            close();
            throw e;
        }
    }

    @Override
    public void bind(Binding decoder, int pastLength, int newTokens) {
        if (pastLength + newTokens > maxLength) {
            throw new IllegalStateException(
                    "KV cache of " + maxLength + " tokens cannot take " + pastLength + " + " + newTokens);
        }
        if (boundTo == decoder) {
            return; // bound once: the same buffers serve every step
        }
        for (int i = 0; i < keys.length; i++) {
            decoder.input(config.pastKeyName(i), keys[i])
                    .input(config.pastValueName(i), values[i])
                    .output(config.presentKeyName(i), keys[i])
                    .output(config.presentValueName(i), values[i]);
        }
        boundTo = decoder;
    }

    @Override
    public void unbind() {
        boundTo = null;
    }

    @Override
    public void commit() {}

    @Override
    public void reset() {
        // Nothing to clear: the attention mask length tells GroupQueryAttention how many rows are valid.
    }

    @Override
    public int capacity() {
        return maxLength;
    }

    @Override
    public void prepare(int positions) {
        if (positions > maxLength) {
            throw new IllegalStateException("KV cache of " + maxLength + " tokens cannot take " + positions);
        }
    }

    @Override
    public Tensor tensor(int layer, boolean value) {
        return value ? values[layer] : keys[layer];
    }

    @Override
    public long headOffset(int head) {
        return (long) head * maxLength * config.headSize() * keys[0].type().byteSize();
    }

    @Override
    public void close() {
        boundTo = null;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                keys[i].close();
            }
            if (values[i] != null) {
                values[i].close();
            }
        }
    }
}

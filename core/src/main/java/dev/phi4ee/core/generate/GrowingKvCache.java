package dev.phi4ee.core.generate;

import dev.phi4ee.core.model.DecoderConfig;
import dev.phi4ee.core.ort.Binding;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.ort.Tensor;

/**
 * Non-shared mode (reference §4.3): pasts start as {@code [1, kv_heads, 0, head_size]}; each run writes presents of
 * {@code past + new} rows into freshly allocated tensors, which then become the pasts of the next run. The present
 * tensor itself is handed over, never copied on the host.
 */
final class GrowingKvCache implements KvCache {
    private final DecoderConfig config;
    private final ElementType type;
    private final int capacity;
    private final Placement placement;
    private final Tensor[] pastKeys;
    private final Tensor[] pastValues;
    private final Tensor[] presentKeys;
    private final Tensor[] presentValues;

    GrowingKvCache(DecoderConfig config, ElementType type, int capacity, Placement placement) {
        this.config = config;
        this.placement = placement;
        this.type = type;
        this.capacity = capacity;
        int layers = config.numHiddenLayers();
        pastKeys = new Tensor[layers];
        pastValues = new Tensor[layers];
        presentKeys = new Tensor[layers];
        presentValues = new Tensor[layers];
        reset();
    }

    private Tensor kv(int length) {
        return placement.allocateNative(type, 1, config.numKeyValueHeads(), length, config.headSize());
    }

    @Override
    public void bind(Binding decoder, int pastLength, int newTokens) {
        if (pastKeys[0].dim(2) != pastLength) {
            throw new IllegalStateException("cache holds " + pastKeys[0].dim(2) + " tokens, run expects " + pastLength);
        }
        for (int i = 0; i < pastKeys.length; i++) {
            closeQuietly(presentKeys[i]);
            closeQuietly(presentValues[i]);
            presentKeys[i] = kv(pastLength + newTokens);
            presentValues[i] = kv(pastLength + newTokens);
            decoder.input(config.pastKeyName(i), pastKeys[i])
                    .input(config.pastValueName(i), pastValues[i])
                    .output(config.presentKeyName(i), presentKeys[i])
                    .output(config.presentValueName(i), presentValues[i]);
        }
    }

    @Override
    public void unbind() {
        // bound anew on every run
    }

    @Override
    public void commit() {
        for (int i = 0; i < pastKeys.length; i++) {
            pastKeys[i].close();
            pastValues[i].close();
            pastKeys[i] = presentKeys[i];
            pastValues[i] = presentValues[i];
            presentKeys[i] = null;
            presentValues[i] = null;
        }
    }

    @Override
    public void reset() {
        for (int i = 0; i < pastKeys.length; i++) {
            closeQuietly(pastKeys[i]);
            closeQuietly(pastValues[i]);
            closeQuietly(presentKeys[i]);
            closeQuietly(presentValues[i]);
            presentKeys[i] = null;
            presentValues[i] = null;
            pastKeys[i] = kv(0);
            pastValues[i] = kv(0);
        }
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public void prepare(int positions) {
        if (positions > capacity) {
            throw new IllegalStateException("KV cache of " + capacity + " tokens cannot take " + positions);
        }
        reset();
        if (positions > 0) {
            for (int i = 0; i < pastKeys.length; i++) {
                pastKeys[i].close();
                pastValues[i].close();
                pastKeys[i] = kv(positions);
                pastValues[i] = kv(positions);
            }
        }
    }

    @Override
    public Tensor tensor(int layer, boolean values) {
        return values ? pastValues[layer] : pastKeys[layer];
    }

    @Override
    public long headOffset(int head) {
        return head * pastKeys[0].dim(2) * config.headSize() * type.byteSize();
    }

    private static void closeQuietly(Tensor t) {
        if (t != null) {
            t.close();
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < pastKeys.length; i++) {
            closeQuietly(pastKeys[i]);
            closeQuietly(pastValues[i]);
            closeQuietly(presentKeys[i]);
            closeQuietly(presentValues[i]);
        }
    }
}

package dev.phi4ee.core.generate;

import dev.phi4ee.core.model.DecoderConfig;
import dev.phi4ee.core.ort.Binding;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.ort.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared-buffer KV cache of a whole batch (reference §4.3): one {@code [maxBatch, kv_heads, max_length,
 * head_size]} buffer per layer and kind. Slot {@code s} is batch row {@code s}; rows {@code first .. first+count-1}
 * are bound to a run as one {@code [count, kv_heads, max_length, head_size]} view over the same memory (rows are
 * contiguous in a row-major buffer), used as both past input and present output so GroupQueryAttention writes each
 * row's new position in place at {@code seqlens_k} of that row. The buffers live where the graphs' {@link Placement}
 * says (device memory on CUDA: slot moves are then device-to-device copies run by ONNX Runtime; native memory on the
 * host, committed only as far as the rows are written). Their size comes from the engine's KV memory plan
 * ({@code generate.kv.KvMemoryPlanner}).
 */
final class SlotKvPool implements AutoCloseable {
    private final DecoderConfig config;
    private final ElementType type;
    private final Placement placement;
    private final int maxBatch;
    private final int maxLength;
    private final long slotBytes;
    private final long headBytes;
    private final Tensor[] keys;
    private final Tensor[] values;
    /** Views over rows [first, first+count), by {@code first * (maxBatch + 1) + count}: keys then values. */
    private final Map<Integer, Tensor[]> views = new HashMap<>();

    SlotKvPool(DecoderConfig config, ElementType type, int maxBatch, int maxLength, Placement placement) {
        this.config = config;
        this.type = type;
        this.placement = placement;
        this.maxBatch = maxBatch;
        this.maxLength = maxLength;
        this.headBytes = (long) maxLength * config.headSize() * type.byteSize();
        this.slotBytes = headBytes * config.numKeyValueHeads();
        int layers = config.numHiddenLayers();
        this.keys = new Tensor[layers];
        this.values = new Tensor[layers];
        try {
            for (int i = 0; i < layers; i++) {
                keys[i] = placement.allocateNative(
                        type, maxBatch, config.numKeyValueHeads(), maxLength, config.headSize());
                values[i] = placement.allocateNative(
                        type, maxBatch, config.numKeyValueHeads(), maxLength, config.headSize());
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            close();
            throw e;
        }
    }

    int maxBatch() {
        return maxBatch;
    }

    int maxLength() {
        return maxLength;
    }

    /** Binds rows {@code [first, first+count)} as the decoder's pasts and presents. */
    void bind(Binding decoder, int first, int count) {
        Tensor[] v = views(first, count);
        int layers = keys.length;
        for (int i = 0; i < layers; i++) {
            decoder.input(config.pastKeyName(i), v[i])
                    .input(config.pastValueName(i), v[layers + i])
                    .output(config.presentKeyName(i), v[i])
                    .output(config.presentValueName(i), v[layers + i]);
        }
    }

    private Tensor[] views(int first, int count) {
        if (first < 0 || count < 1 || first + count > maxBatch) {
            throw new IllegalArgumentException("rows " + first + "+" + count + " outside a pool of " + maxBatch);
        }
        return views.computeIfAbsent(first * (maxBatch + 1) + count, k -> {
            int layers = keys.length;
            Tensor[] v = new Tensor[2 * layers];
            for (int i = 0; i < layers; i++) {
                v[i] = view(keys[i], first, count);
                v[layers + i] = view(values[i], first, count);
            }
            return v;
        });
    }

    private Tensor view(Tensor whole, int first, int count) {
        return whole.region(first * slotBytes, count, config.numKeyValueHeads(), maxLength, config.headSize());
    }

    /**
     * Copies the first {@code validLength} positions of every head of slot {@code from} into slot {@code to} (a
     * compaction move: the rows past the valid length are never read, GroupQueryAttention takes the valid prefix from
     * the mask).
     */
    void copySlot(int from, int to, int validLength) {
        if (from == to) {
            return;
        }
        // One move of 2 × layers × kv_heads regions: JVM copies in host memory, one graph run in device memory.
        List<Tensor> sources = new ArrayList<>();
        List<Tensor> targets = new ArrayList<>();
        try {
            for (Tensor[] kind : new Tensor[][] {keys, values}) {
                for (Tensor t : kind) {
                    for (int h = 0; h < config.numKeyValueHeads(); h++) {
                        sources.add(t.region(from * slotBytes + h * headBytes, validLength, config.headSize()));
                        targets.add(t.region(to * slotBytes + h * headBytes, validLength, config.headSize()));
                    }
                }
            }
            placement.copy(sources, targets);
        } finally {
            sources.forEach(Tensor::close);
            targets.forEach(Tensor::close);
        }
    }

    /** The whole {@code [maxBatch, kv_heads, max_length, head_size]} keys or values buffer of {@code layer}. */
    Tensor layer(int layer, boolean values) {
        return values ? this.values[layer] : keys[layer];
    }

    /** Byte offset of slot {@code slot}'s head {@code head} at position 0 in a {@link #layer} buffer. */
    long headOffset(int slot, int head) {
        return slot * slotBytes + head * headBytes;
    }

    /** The KV cache of one sequence living in slot {@code slot} (movable by compaction). */
    SlotKvCache slotCache(int slot) {
        return new SlotKvCache(this, slot);
    }

    @Override
    public void close() {
        for (Tensor[] v : views.values()) {
            for (Tensor t : v) {
                t.close();
            }
        }
        views.clear();
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

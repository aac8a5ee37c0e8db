package dev.phi4ee.core.generate;

import dev.phi4ee.core.model.DecoderConfig;
import dev.phi4ee.core.model.EmbeddingConfig;
import dev.phi4ee.core.ort.Binding;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.NativeScope;
import dev.phi4ee.core.ort.Tensor;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One decode step of several sequences as one embedding call ({@code input_ids [B, 1]}) and one decoder call over
 * rows {@code [first, first+B)} of a {@link SlotKvPool}.
 *
 * <p>Per-row lengths go through a right-padded attention mask {@code [B, W]}, {@code W} = the longest row: row
 * {@code b} has ones on its first {@code len_b} columns and zeros after, so the graph's {@code seqlens_k = Σmask − 1}
 * makes GroupQueryAttention write the new key/value of row {@code b} at position {@code len_b − 1}, rotate it for that
 * position and attend to {@code [0, len_b)} only (reference §3.4, §4.2) — what a batch-1 run with a mask of
 * {@code len_b} ones does. The mask WIDTH selects the LongRoPE caches for the whole batch (§4.4), so a caller never
 * batches rows on both sides of {@code original_max_position_embeddings}; rows with different LoRA adapters run as
 * separate calls (the adapter weights are decoder inputs, one set per call, bound once in the group's binding).
 *
 * <p>A step binds only what changed: the ids, embeddings and logits views of a row range are made once per range
 * (at most {@code maxBatch·(maxBatch+1)/2}, closed with the step, as {@link SlotKvPool}'s KV views) and rebound only
 * when a binding's range changes; the mask, whose width grows every step, is the one view made and bound per step.
 * Making four views and seven bindings per step cost ~25 µs (docs/decisions/engine-whole-request-costs.md).
 */
final class BatchDecodeStep implements AutoCloseable {
    private static final int MAX_CACHED_BINDINGS = 8;

    private final Phi4Graphs graphs;
    private final DecoderConfig dc;
    private final EmbeddingConfig ec;
    private final SlotKvPool pool;
    private final int maxBatch;
    private final int maxLength;
    private final int vocab;
    private final long embedsRowBytes;
    private final long logitsRowBytes;
    private final Tensor ids;
    private final Tensor embeds;
    private final Tensor logits;
    private final Tensor mask;
    private final Tensor emptyImage;
    private final Tensor emptyAudio;
    private final long[] ones;
    private final long[] zeros;
    private final Binding embedding;
    /** One decoder binding per group key, with the rows its KV views cover (rebound only when they change). */
    private final Map<Object, GroupBinding> decoders = new HashMap<>();
    /** Row-range views by {@link #rangeKey}. */
    private final Map<Integer, RowViews> views = new HashMap<>();
    /** The row range the embedding binding's ids and embeddings cover; -1 = none yet. */
    private int embeddingRange = -1;

    /** The ids {@code [count, 1]}, embeddings {@code [count, 1, hidden]} and logits {@code [count, 1, vocab]} of a range. */
    private record RowViews(Tensor ids, Tensor embeds, Tensor logits) {
        void close() {
            logits.close();
            embeds.close();
            ids.close();
        }
    }

    private static final class GroupBinding {
        final Binding binding;
        /** {@link #rangeKey} of the rows bound (KV, embeddings, logits); -1 = none yet. */
        int range = -1;

        GroupBinding(Binding binding) {
            this.binding = binding;
        }
    }

    BatchDecodeStep(Phi4Graphs graphs, SlotKvPool pool) {
        this.graphs = graphs;
        this.dc = graphs.config().decoder();
        this.ec = graphs.config().embedding();
        this.pool = pool;
        this.maxBatch = pool.maxBatch();
        this.maxLength = pool.maxLength();
        this.vocab = graphs.config().vocabSize();
        int hidden = dc.hiddenSize();
        this.embedsRowBytes = (long) hidden * graphs.embedsType().byteSize();
        this.logitsRowBytes = (long) vocab * graphs.logitsType().byteSize();
        this.ids = Tensor.allocate(ElementType.INT64, maxBatch, 1);
        // Embeddings go from graph to graph in the placement's memory; ids, mask and logits are host memory (the
        // step's logits, [rows, 1, vocab], are the only bytes that come back from a device).
        this.embeds = graphs.placement().allocate(graphs.embedsType(), maxBatch, 1, hidden);
        this.logits = graphs.placement().allocateHost(graphs.logitsType(), maxBatch, 1, vocab);
        this.mask = graphs.placement().allocateHost(ElementType.INT64, (long) maxBatch * maxLength);
        this.emptyImage = Tensor.allocate(graphs.imageFeaturesType(), 0, hidden);
        this.emptyAudio = Tensor.allocate(graphs.audioFeaturesType(), 0, hidden);
        this.ones = new long[maxLength];
        Arrays.fill(ones, 1L);
        this.zeros = new long[maxLength];
        this.embedding = graphs.embedding().newBinding();
        embedding.input(ec.imageFeatures(), emptyImage).input(ec.audioFeatures(), emptyAudio);
    }

    /**
     * Runs the step. Row {@code first + i} gets token {@code tokens[i]} and then holds {@code lengths[i]} tokens
     * (its past is {@code lengths[i] − 1}). Afterwards {@link #logits(int)} of those rows hold the new positions'
     * logits.
     *
     * @param group key of the rows' batch group (LoRA adapters and LongRoPE side): one decoder binding per group
     */
    @SuppressWarnings("try") // the native scope is opened for what it frees when it closes
    void run(Object group, LoraAdapters.Weights adapters, int first, int count, long[] tokens, int[] lengths) {
        if (first < 0 || count < 1 || first + count > maxBatch) {
            throw new IllegalArgumentException("rows " + first + "+" + count + " outside a batch of " + maxBatch);
        }
        int width = 0;
        for (int i = 0; i < count; i++) {
            if (lengths[i] < 2 || lengths[i] > maxLength) {
                throw new IllegalArgumentException("row length " + lengths[i] + " outside 2.." + maxLength);
            }
            width = Math.max(width, lengths[i]);
        }
        Binding decoder = decoderFor(group, adapters, first, count);
        RowViews rows = views(first, count);
        if (embeddingRange != rangeKey(first, count)) {
            embedding.input(ec.inputIds(), rows.ids).output(ec.inputsEmbeds(), rows.embeds);
            embeddingRange = rangeKey(first, count);
        }
        try (NativeScope scope = NativeScope.open();
                Tensor stepMask = mask.region((long) first * maxLength * 8, count, width)) {
            LongBuffer idBuffer = rows.ids.buffer().asLongBuffer();
            LongBuffer maskBuffer = stepMask.buffer().asLongBuffer();
            for (int i = 0; i < count; i++) {
                idBuffer.put(i, tokens[i]);
                maskBuffer.put(ones, 0, lengths[i]).put(zeros, 0, width - lengths[i]);
            }
            graphs.embedding().run(embedding);
            decoder.input(dc.attentionMask(), stepMask);
            graphs.decoder().run(decoder);
        }
    }

    /**
     * One decoder call over the prompts of rows {@code [first, first+count)}, each {@code n} positions from an empty
     * cache: {@code embeds [count, n, hidden]}, a mask of ones {@code [count, n]}, logits into {@code promptLogits
     * [count, n, vocab]}. Every row attends to its own positions only, as its batch-1 prefill does (GroupQueryAttention per
     * batch row, {@code seqlens_k = n − 1}).
     */
    @SuppressWarnings("try") // the native scope is opened for what it frees when it closes
    void runPrompts(
            Object group, LoraAdapters.Weights adapters, int first, int count, Tensor embeds, Tensor promptLogits) {
        int n = (int) embeds.dim(1);
        if (first < 0 || count < 2 || first + count > maxBatch || n < 1 || n > maxLength) {
            throw new IllegalArgumentException(
                    "prompt rows " + first + "+" + count + " of " + n + " in a batch of " + maxBatch);
        }
        Binding decoder = decoderFor(group, adapters, first, count);
        RowViews rows = views(first, count);
        try (NativeScope scope = NativeScope.open();
                Tensor promptMask = mask.region((long) first * maxLength * 8, count, n)) {
            LongBuffer maskBuffer = promptMask.buffer().asLongBuffer();
            for (int i = 0; i < count; i++) {
                maskBuffer.put(ones, 0, n);
            }
            decoder.input(dc.inputsEmbeds(), embeds)
                    .input(dc.attentionMask(), promptMask)
                    .output(dc.logits(), promptLogits);
            try {
                graphs.decoder().run(decoder);
            } finally { // the binding must not keep the prompts' tensors alive; the steps' views go back
                decoder.input(dc.inputsEmbeds(), rows.embeds).output(dc.logits(), rows.logits);
            }
        }
    }

    /** Logits of the last run over {@code row}: a view of the batch's output buffer, no copy. */
    LastLogits logits(int row) {
        return new LastLogits(logits.buffer(), logits.type(), row * vocab, vocab);
    }

    private Binding decoderFor(Object group, LoraAdapters.Weights adapters, int first, int count) {
        GroupBinding g = decoders.get(group);
        if (g == null) {
            if (decoders.size() >= MAX_CACHED_BINDINGS) {
                decoders.values().forEach(b -> b.binding.close());
                decoders.clear();
            }
            g = new GroupBinding(graphs.decoder().newBinding());
            if (adapters != null) {
                adapters.tensors().forEach(g.binding::input);
            }
            decoders.put(group, g);
        }
        int range = rangeKey(first, count);
        if (g.range != range) {
            RowViews rows = views(first, count);
            pool.bind(g.binding, first, count);
            g.binding.input(dc.inputsEmbeds(), rows.embeds).output(dc.logits(), rows.logits);
            g.range = range;
        }
        return g.binding;
    }

    private int rangeKey(int first, int count) {
        return first * (maxBatch + 1) + count;
    }

    private RowViews views(int first, int count) {
        return views.computeIfAbsent(
                rangeKey(first, count),
                k -> new RowViews(
                        ids.region(first * 8L, count, 1),
                        embeds.region(first * embedsRowBytes, count, 1, dc.hiddenSize()),
                        logits.region(first * logitsRowBytes, count, 1, vocab)));
    }

    @Override
    public void close() {
        decoders.values().forEach(b -> b.binding.close());
        decoders.clear();
        embedding.close();
        views.values().forEach(RowViews::close);
        views.clear();
        emptyAudio.close();
        emptyImage.close();
        mask.close();
        logits.close();
        embeds.close();
        ids.close();
    }
}

package dev.phi4ee.core.generate;

import dev.phi4ee.core.generate.prefix.KvRows;
import dev.phi4ee.core.generate.prefix.PrefillChunks;
import dev.phi4ee.core.model.DecoderConfig;
import dev.phi4ee.core.model.EmbeddingConfig;
import dev.phi4ee.core.ort.Binding;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.NativeScope;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.ort.Tensor;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * One sequence being decoded (batch 1): prompt prefill through the embedding and text graphs, then one token per
 * step, with its own KV cache. Returns the last position's logits as a view of a host buffer, valid until the next
 * run: a decode step's logits are written there by the decoder; of a prompt's logits (in the graphs' {@link
 * Placement}, device memory on CUDA) only the last position is copied there.
 *
 * <p>The attention mask always has {@code past + new} columns of ones (reference §4.2): its length drives
 * GroupQueryAttention's valid length and the text graph's LongRoPE switch. When the sequence first grows past {@code
 * original_max_position_embeddings}, the keys cached so far were rotated with the short factors; for Hugging Face
 * parity (§4.4) the whole sequence is then run again from the prompt's kept {@code inputs_embeds} plus the generated
 * tokens' embeddings, with an empty cache, so every key uses the long factors.
 */
public final class DecodingSession implements AutoCloseable {
    private final Phi4Graphs graphs;
    private final Placement placement;
    private final DecoderConfig dc;
    private final EmbeddingConfig ec;
    private final KvCache cache;
    private LoraAdapters.Weights adapters;
    private final int originalMaxPositions;
    private final int hidden;
    private final int vocab;
    private final Tensor ones;
    private final Tensor emptyImage;
    private final Tensor emptyAudio;
    private final Tensor stepIds;
    private final Tensor stepEmbeds;
    private final Tensor stepLogits;
    private final Binding embeddingBinding;
    private final Binding decoderBinding;
    private final PromptLogits promptLogits;
    private final boolean ownsPromptLogits;
    private LastLogits lastLogits;
    private long[] tokens = new long[64];
    private int length;
    private int promptLength;
    private Tensor promptEmbeds;
    /** The prompt's embeddings while its decoder runs are under way (from position {@code pendingEmbedsStart}). */
    private Tensor pendingEmbeds;

    private int pendingEmbedsStart;
    private boolean keepPending;
    /** Prompt positions whose keys and values are in the cache (loaded or run) while prefilling. */
    private int prefilled;

    private int reprefills;
    private PrefillChunks chunks;
    private int lengthLimit;
    private long decoderPositions;

    /** Default prompt positions per decoder run: 512 × 200064 fp16 logits = 205 MB per chunk. */
    static final int DEFAULT_PREFILL_CHUNK = 512;

    /**
     * @param sharedBuffer {@code true} for a shared past/present buffer of {@code capacity} tokens, else growing
     */
    public DecodingSession(Phi4Graphs graphs, boolean sharedBuffer, int capacity, int originalMaxPositions) {
        this(
                graphs,
                sharedBuffer
                        ? new SharedKvCache(graphs.config().decoder(), graphs.kvType(), capacity, graphs.placement())
                        : new GrowingKvCache(graphs.config().decoder(), graphs.kvType(), capacity, graphs.placement()),
                originalMaxPositions,
                null);
    }

    /**
     * A session over a given cache (a slot of a batch's {@link SlotKvPool}); the session closes it. {@code shared}:
     * the prompt-logits buffer of the batch's sessions (null: the session has its own).
     */
    DecodingSession(Phi4Graphs graphs, KvCache cache, int originalMaxPositions, PromptLogits shared) {
        int capacity = cache.capacity();
        this.graphs = graphs;
        this.placement = graphs.placement();
        this.dc = graphs.config().decoder();
        this.ec = graphs.config().embedding();
        this.originalMaxPositions = originalMaxPositions;
        this.hidden = dc.hiddenSize();
        this.vocab = graphs.config().vocabSize();
        this.cache = cache;
        this.ones = placement.allocateHost(ElementType.INT64, 1, capacity);
        ByteBuffer b = ones.buffer();
        for (int i = 0; i < capacity; i++) {
            b.putLong(1L);
        }
        this.emptyImage = Tensor.allocate(graphs.imageFeaturesType(), 0, hidden);
        this.emptyAudio = Tensor.allocate(graphs.audioFeaturesType(), 0, hidden);
        this.stepIds = Tensor.allocate(ElementType.INT64, 1, 1);
        this.stepEmbeds = placement.allocate(graphs.embedsType(), 1, 1, hidden);
        this.stepLogits = placement.allocateHost(graphs.logitsType(), 1, 1, vocab);
        this.embeddingBinding = graphs.embedding().newBinding();
        this.decoderBinding = graphs.decoder().newBinding();
        this.ownsPromptLogits = shared == null;
        this.promptLogits = shared != null ? shared : new PromptLogits(graphs, DEFAULT_PREFILL_CHUNK);
        this.chunks = PrefillChunks.of(DEFAULT_PREFILL_CHUNK, originalMaxPositions);
        this.lengthLimit = capacity;
    }

    /**
     * LoRA weights bound on every decoder run from now on (null: the graph's zero defaults); set before {@link
     * #prefill}. Switching clears the decoder binding (IoBinding cannot unbind one input), so the cache rebinds.
     */
    void useAdapters(LoraAdapters.Weights weights) {
        if (weights == adapters) {
            return;
        }
        decoderBinding.clear();
        cache.unbind();
        if (weights != null) {
            weights.tensors().forEach(decoderBinding::input);
        }
        adapters = weights;
    }

    /** Tokens held (prompt + generated). */
    public int length() {
        return length;
    }

    public int capacity() {
        return cache.capacity();
    }

    /** How many times the whole sequence was re-run at the LongRoPE crossing (0 or 1). */
    public int reprefills() {
        return reprefills;
    }

    /**
     * Runs the prompt. Feature tensors (rows scattered into placeholder positions by the embedding graph) may be null
     * for none; they are bound as they are, without a copy.
     *
     * @return logits of the last prompt position
     */
    public LastLogits prefill(long[] ids, Tensor imageFeatures, Tensor audioFeatures) {
        return prefill(ids, imageFeatures, audioFeatures, 0, rows -> {});
    }

    /**
     * Runs the prompt with its first {@code cached} positions' keys and values written by {@code load} into the
     * emptied cache (a reused prefix, {@code generate.prefix}) instead of computed: only the rest runs through the
     * decoder. The whole prompt is embedded when features are given or when the embeddings are kept for the LongRoPE
     * re-run ({@link #keepsPromptEmbeds}); otherwise only the rest, which must then hold no media placeholder.
     */
    LastLogits prefill(long[] ids, Tensor imageFeatures, Tensor audioFeatures, int cached, Consumer<KvRows> load) {
        beginPrefill(ids, imageFeatures, audioFeatures, cached, load);
        while (nextPrefillRun() > 0) {
            runPrefillRun();
        }
        return lastLogits;
    }

    /**
     * Starts {@link #prefill}: embeds the prompt and loads the cached prefix, leaving the decoder runs to {@link
     * #runPrefillRun} (chunked prefill between decode steps, docs/decisions/chunked-prefill.md). The features are
     * used now only: the caller may close them when this returns.
     */
    void beginPrefill(long[] ids, Tensor imageFeatures, Tensor audioFeatures, int cached, Consumer<KvRows> load) {
        if (length != 0) {
            throw new IllegalStateException("prefill on a sequence that already holds " + length + " tokens");
        }
        if (ids.length == 0 || ids.length > cache.capacity()) {
            throw new IllegalArgumentException(
                    "prompt of " + ids.length + " tokens does not fit a cache of " + cache.capacity());
        }
        if (cached < 0 || cached >= ids.length) {
            throw new IllegalArgumentException(cached + " cached positions of a prompt of " + ids.length);
        }
        try (NativeScope scope = NativeScope.open()) {
            boolean whole =
                    cached == 0 || keepsPromptEmbeds(ids.length) || imageFeatures != null || audioFeatures != null;
            Tensor embeds = whole
                    ? embed(ids, imageFeatures, audioFeatures)
                    : embed(Arrays.copyOfRange(ids, cached, ids.length), null, null);
            try {
                append(ids);
                promptLength = ids.length;
                cache.prepare(cached);
                if (cached > 0) {
                    load.accept(cache);
                }
            } catch (RuntimeException e) {
                embeds.close();
                throw e;
            }
            pendingEmbeds = embeds;
            pendingEmbedsStart = whole ? 0 : cached;
            keepPending = keepsPromptEmbeds(ids.length);
            prefilled = cached;
            lastLogits = null;
        }
    }

    /** Positions of the prompt's next decoder run; 0 when no prefill is under way. */
    int nextPrefillRun() {
        return pendingEmbeds == null ? 0 : chunks.end(prefilled, promptLength) - prefilled;
    }

    /**
     * Runs the prompt's next decoder run ({@link PrefillChunks}: the same runs as a whole {@link #prefill}). After
     * the last one, {@link #lastLogits()} holds the last prompt position's logits.
     */
    void runPrefillRun() {
        if (pendingEmbeds == null) {
            throw new IllegalStateException("no prefill under way");
        }
        try (NativeScope scope = NativeScope.open()) {
            ranPrefillTo(runPromptRun(pendingEmbeds, pendingEmbedsStart, prefilled, promptLength));
        }
    }

    private void ranPrefillTo(int end) {
        prefilled = end;
        if (end == promptLength) {
            if (keepPending) {
                promptEmbeds = pendingEmbeds; // kept for the re-run at the LongRoPE crossing
            } else {
                pendingEmbeds.close();
            }
            pendingEmbeds = null;
        }
    }

    /**
     * Whether the prefill under way is one decoder run from an empty cache: it may be one row of a batched prompt run
     * ({@link #pendingPromptEmbeds}, {@link #completeBatchedPrefill}).
     */
    boolean singleRunPrefill() {
        return pendingEmbeds != null
                && prefilled == 0
                && pendingEmbedsStart == 0
                && chunks.end(0, promptLength) == promptLength;
    }

    /** The {@code [1, n, hidden]} embeddings of a {@link #singleRunPrefill}. */
    Tensor pendingPromptEmbeds() {
        if (!singleRunPrefill()) {
            throw new IllegalStateException("no single-run prefill under way");
        }
        return pendingEmbeds;
    }

    /**
     * Completes a {@link #singleRunPrefill} whose decoder run was one row of a batched call: its keys and values are
     * in this session's cache, {@code logits} ({@code [1, n, vocab]}) is its row of the call's logits.
     */
    void completeBatchedPrefill(Tensor logits) {
        if (!singleRunPrefill()) {
            throw new IllegalStateException("no single-run prefill under way");
        }
        decoderPositions += promptLength;
        cache.commit();
        placement.lastPosition(logits, stepLogits);
        lastLogits = new LastLogits(stepLogits.buffer(), stepLogits.type(), 0, vocab);
        ranPrefillTo(promptLength);
    }

    /** Whether a prefill was begun and has decoder runs left. */
    boolean prefilling() {
        return pendingEmbeds != null;
    }

    /** The newest position's logits (valid until the next run); null before a run or while prefilling. */
    LastLogits lastLogits() {
        return lastLogits;
    }

    /** Positions whose keys and values the cache holds: the prompt's run part while prefilling, else the length. */
    int cachedLength() {
        return pendingEmbeds != null ? prefilled : length;
    }

    /**
     * Whether a prompt of {@code n} tokens keeps its embeddings for the LongRoPE re-run (§4.4): when it runs with the
     * short factors and the sequence may grow past the threshold ({@link #limitLength}).
     */
    boolean keepsPromptEmbeds(int n) {
        return n <= originalMaxPositions && lengthLimit > originalMaxPositions;
    }

    /** The sequence will hold at most {@code tokens} tokens (prompt + max new tokens) until {@link #reset}. */
    void limitLength(int tokens) {
        this.lengthLimit = Math.min(tokens, cache.capacity());
    }

    /** Runs prompts in decoder runs that end on multiples of {@code block} (prefix reuse, {@link PrefillChunks}). */
    void alignPrefill(int block) {
        if (!chunks.aligned() || chunks.chunk() != block) {
            this.chunks = PrefillChunks.aligned(block, originalMaxPositions);
        }
    }

    /** Positions run through the decoder so far (prompts, steps and re-runs). */
    long decoderPositions() {
        return decoderPositions;
    }

    /** The cached keys and values, for storing the prompt's prefix blocks after {@link #prefill}. */
    KvRows kvRows() {
        return cache;
    }

    /**
     * Appends one token and runs a decode step.
     *
     * @return logits of the new position
     */
    public LastLogits next(long token) {
        if (length == 0 || pendingEmbeds != null) {
            throw new IllegalStateException("next() before prefill() completed");
        }
        if (length + 1 > cache.capacity()) {
            throw new IllegalStateException("sequence is full at " + length + " tokens");
        }
        try (NativeScope scope = NativeScope.open()) {
            int past = length;
            append(new long[] {token});
            if (past == originalMaxPositions && promptEmbeds != null) {
                rerunWholeSequence();
                return lastLogits;
            }
            stepIds.putLong(0, token);
            embeddingBinding
                    .input(ec.inputIds(), stepIds)
                    .input(ec.imageFeatures(), emptyImage)
                    .input(ec.audioFeatures(), emptyAudio)
                    .output(ec.inputsEmbeds(), stepEmbeds);
            graphs.embedding().run(embeddingBinding);
            runDecoder(stepEmbeds, past, 1, true);
            return lastLogits;
        }
    }

    /**
     * Whether the next step takes the sequence past {@code original_max_position_embeddings} with keys cached under
     * the short factors: that step must run alone through {@link #next} (the §4.4 re-prefill), not in a batch.
     */
    boolean crossesLongRopeOnNextStep() {
        return length == originalMaxPositions && promptEmbeds != null;
    }

    /**
     * Records {@code token} as appended by a batched decoder run that already wrote its keys and values into this
     * sequence's cache slot (see {@code BatchDecodeStep}).
     */
    void appendBatched(long token) {
        if (length == 0 || pendingEmbeds != null || length + 1 > cache.capacity() || crossesLongRopeOnNextStep()) {
            throw new IllegalStateException("cannot batch a step at length " + length);
        }
        lastLogits = null;
        append(new long[] {token});
    }

    /** The LoRA weights bound on this sequence's runs (null: none). */
    LoraAdapters.Weights adapters() {
        return adapters;
    }

    private Tensor embed(long[] ids, Tensor imageFeatures, Tensor audioFeatures) {
        try (Tensor idsTensor = Tensor.allocate(ElementType.INT64, 1, ids.length)) {
            idsTensor.buffer().asLongBuffer().put(ids);
            Tensor embeds = placement.allocate(graphs.embedsType(), 1, ids.length, hidden);
            embeddingBinding
                    .input(ec.inputIds(), idsTensor)
                    .input(ec.imageFeatures(), imageFeatures != null ? imageFeatures : emptyImage)
                    .input(ec.audioFeatures(), audioFeatures != null ? audioFeatures : emptyAudio)
                    .output(ec.inputsEmbeds(), embeds);
            try {
                graphs.embedding().run(embeddingBinding);
            } catch (RuntimeException e) {
                embeds.close();
                throw e;
            }
            return embeds;
        }
    }

    /** §4.4: prompt embeddings (kept) + generated tokens' embeddings, one run from an empty cache. */
    private void rerunWholeSequence() {
        long[] generated = Arrays.copyOfRange(tokens, promptLength, length);
        try (Tensor genEmbeds = embed(generated, null, null);
                Tensor all = placement.allocate(graphs.embedsType(), 1, length, hidden)) {
            placement.concat(all, 1, List.of(promptEmbeds, genEmbeds));
            promptEmbeds.close();
            promptEmbeds = null;
            cache.reset();
            runPrompt(all, 0, 0, length);
            reprefills++;
        }
    }

    /**
     * Runs prompt positions {@code [from, n)} over a cache holding the positions before {@code from}, in the runs
     * {@link #chunks} gives, so the prompt's logits never need more than {@code chunk × vocab} elements (a 10k-token
     * image prompt would need 4 GB in one run). The LongRoPE choice is unchanged: a prompt within {@code
     * original_max_position_embeddings} stays within it in every run; a longer one gets a first run longer than the
     * threshold, so every run sees long factors. {@code embeds} holds positions from {@code embedsStart} on.
     */
    private void runPrompt(Tensor embeds, int embedsStart, int from, int n) {
        for (int start = from; start < n; ) {
            start = runPromptRun(embeds, embedsStart, start, n);
        }
    }

    /** Runs the one decoder run of {@link #runPrompt} that starts at {@code start}; returns its end. */
    private int runPromptRun(Tensor embeds, int embedsStart, int start, int n) {
        int end = chunks.end(start, n);
        boolean last = end == n;
        if (start == embedsStart && end == embedsStart + embeds.dim(1)) {
            runDecoder(embeds, start, end - start, last);
            return end;
        }
        int rowBytes = hidden * embeds.type().byteSize();
        try (Tensor slice = embeds.region((long) (start - embedsStart) * rowBytes, 1, end - start, hidden)) {
            runDecoder(slice, start, end - start, last);
        }
        return end;
    }

    /** Prompt positions per decoder run, counted from the first; 0 = the whole prompt in one run. */
    void prefillChunk(int positions) {
        this.chunks = PrefillChunks.of(positions, originalMaxPositions);
    }

    /**
     * One decoder run of {@code newTokens} positions after {@code past}. Only a sequence's newest position has logits
     * anyone reads: an intermediate prompt run ({@code keepLogits} false) leaves {@link #lastLogits} null instead of
     * copying its last row (a vocabulary of logits, 800 KB on the release in fp32).
     */
    private void runDecoder(Tensor embeds, int past, int newTokens, boolean keepLogits) {
        int total = past + newTokens;
        decoderPositions += newTokens;
        // A step's logits go straight to the host buffer; a prompt's stay where they are made, but for one row.
        Tensor logits = newTokens == 1 ? stepLogits : promptLogits.take(newTokens);
        lastLogits = null;
        try (Tensor mask = ones.view(1, total)) {
            cache.bind(decoderBinding, past, newTokens);
            decoderBinding
                    .input(dc.inputsEmbeds(), embeds)
                    .input(dc.attentionMask(), mask)
                    .output(dc.logits(), logits);
            graphs.decoder().run(decoderBinding);
            cache.commit();
            if (keepLogits && logits != stepLogits) {
                placement.lastPosition(logits, stepLogits);
            }
        } finally {
            if (logits != stepLogits) {
                decoderBinding.output(dc.logits(), stepLogits); // the binding must not keep the prompt's logits alive
                logits.close();
            }
        }
        if (keepLogits) {
            lastLogits = new LastLogits(stepLogits.buffer(), stepLogits.type(), 0, vocab);
        }
    }

    /**
     * Shortens the sequence to its first {@code newLength} tokens (shared-buffer mode only: the rows past the mask
     * are simply overwritten by the next step). Used to measure steps at a fixed context and to roll back drafts.
     */
    public void rewindTo(int newLength) {
        if (!(cache instanceof SharedKvCache)) {
            throw new UnsupportedOperationException("rewind needs the shared-buffer KV cache");
        }
        if (newLength < promptLength || newLength > length) {
            throw new IllegalArgumentException(
                    "cannot rewind to " + newLength + " (prompt " + promptLength + ", length " + length + ")");
        }
        length = newLength;
    }

    private void append(long[] ids) {
        if (length + ids.length > tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.max(tokens.length * 2, length + ids.length));
        }
        System.arraycopy(ids, 0, tokens, length, ids.length);
        length += ids.length;
    }

    /** Forgets the sequence so the session (and its cache slot) can serve a new prompt. */
    public void reset() {
        lastLogits = null;
        cache.reset();
        length = 0;
        promptLength = 0;
        reprefills = 0;
        lengthLimit = cache.capacity();
        prefilled = 0;
        if (pendingEmbeds != null) {
            pendingEmbeds.close();
            pendingEmbeds = null;
        }
        if (promptEmbeds != null) {
            promptEmbeds.close();
            promptEmbeds = null;
        }
    }

    @Override
    public void close() {
        reset();
        decoderBinding.close();
        embeddingBinding.close();
        cache.close();
        stepLogits.close();
        if (ownsPromptLogits) {
            promptLogits.close();
        }
        stepEmbeds.close();
        stepIds.close();
        emptyAudio.close();
        emptyImage.close();
        ones.close();
    }
}

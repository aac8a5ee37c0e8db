package dev.phi4ee.core.generate;

import dev.phi4ee.core.generate.prefix.PrefillChunks;
import dev.phi4ee.core.generate.prefix.PrefixCache;
import dev.phi4ee.core.generate.prefix.PromptBlocks;
import dev.phi4ee.core.ort.Tensor;
import dev.phi4ee.core.prompt.Adapter;
import dev.phi4ee.core.prompt.InputMode;

/**
 * The engine's prompt stage (reference §4.1), for batched and one-at-a-time requests alike: vision if images, speech
 * if audio (projection by input mode), then the embedding graph with both feature tensors and the decoder prefill.
 * The request's LoRA adapter (§5.2) is set before the first decoder run and stays for every step.
 *
 * <p>With a {@link PrefixCache}, the prompt's longest cached prefix is copied into its cache and only the rest runs;
 * the encoders are skipped when every media placeholder lies in the reused prefix (and the embeddings need not be
 * kept for the LongRoPE re-run). The prompt's full blocks are stored once its last decoder run is done and its first
 * token chosen (docs/decisions/prefix-cache.md), which may be some engine steps later
 * (docs/decisions/chunked-prefill.md).
 */
final class EnginePromptStage implements BatchRow.PromptStage {
    private static final int[] PLACEHOLDERS = {Phi4TextCodec.IMAGE_PLACEHOLDER_ID, Phi4TextCodec.AUDIO_PLACEHOLDER_ID};

    private final MediaEncoders encoders;
    private final LoraAdapters adapters;
    private final PrefixCache prefixes;
    private final PrefillChunks aligned;

    /**
     * @param prefixes the engine's prefix cache, or null for none
     * @param originalMaxPositions {@code original_max_position_embeddings}: the RoPE regime of a prompt
     */
    EnginePromptStage(MediaEncoders encoders, LoraAdapters adapters, PrefixCache prefixes, int originalMaxPositions) {
        this.encoders = encoders;
        this.adapters = adapters;
        this.prefixes = prefixes;
        this.aligned = prefixes == null ? null : PrefillChunks.aligned(prefixes.blockTokens(), originalMaxPositions);
    }

    /** None for text-only, else the input mode's adapter (reference §5.2). */
    @Override
    public LoraAdapters.Weights adapters(EngineRequest request) {
        PreparedPrompt p = request.prepared;
        return p == null || adapters == null
                ? null
                : adapters.forAdapter(p.expanded.mode().adapter());
    }

    @Override
    public BatchRow.Prefill begin(EngineRequest request, DecodingSession session, long[] prompt) {
        LoraAdapters.Weights weights = adapters(request);
        session.useAdapters(weights);
        session.limitLength((int) Math.min(Integer.MAX_VALUE, (long) prompt.length + request.options.maxNewTokens()));
        PreparedPrompt p = request.prepared;
        PromptBlocks blocks = null;
        PrefixCache.Match match = PrefixCache.Match.NONE;
        if (prefixes != null) {
            session.alignPrefill(prefixes.blockTokens());
            InputMode mode = p == null ? InputMode.LANGUAGE : p.expanded.mode();
            PromptBlocks.Root root = new PromptBlocks.Root(
                    weights == null ? Adapter.NONE : weights.adapter(), mode, prompt.length > aligned.threshold());
            blocks = PromptBlocks.of(request.promptIds, root, p == null ? null : p.mediaDigest, PLACEHOLDERS, aligned);
            match = prefixes.lookup(blocks);
        }
        int cached = match.tokens();
        boolean media = p != null && (p.vision != null || p.speech != null);
        // Features are needed for placeholders the decoder runs, or for the kept embeddings of the whole prompt.
        boolean encode = media && (cached == 0 || blocks.mediaFrom(cached) || session.keepsPromptEmbeds(prompt.length));
        Tensor image = null;
        Tensor audio = null;
        try {
            if (encode && p.vision != null) {
                image = encoders.encodeImages(p.vision, p.expanded.imageTokens());
            }
            if (encode && p.speech != null) {
                audio = encoders.encodeAudio(p.speech, p.expanded.mode(), p.expanded.audioTokens());
            }
            request.releaseMedia();
            if (encode) {
                p.expanded.requireFeatureRows(image == null ? 0 : image.dim(0), audio == null ? 0 : audio.dim(0));
            }
            PrefixCache.Match reused = match;
            session.beginPrefill(prompt, image, audio, cached, rows -> prefixes.load(reused, rows));
            PromptBlocks stored = blocks;
            return BatchRow.Prefill.of(session, () -> {
                if (stored != null) { // every block ran; the matched blocks may have been evicted meanwhile
                    prefixes.store(stored, reused, session.kvRows());
                }
            });
        } finally {
            if (image != null) {
                image.close();
            }
            if (audio != null) {
                audio.close();
            }
        }
    }
}

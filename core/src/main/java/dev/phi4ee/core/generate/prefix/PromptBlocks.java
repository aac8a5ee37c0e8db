package dev.phi4ee.core.generate.prefix;

import dev.phi4ee.core.prompt.Adapter;
import dev.phi4ee.core.prompt.InputMode;
import java.util.Arrays;

/**
 * A prompt cut into blocks for prefix reuse, with what else decides the keys and values of its positions: the
 * {@link Root} (LoRA adapter, input mode, RoPE regime) and, for a block holding media placeholders, the digest of the
 * request's media. A block's identity is its chain: the blocks before it and its own content.
 */
public final class PromptBlocks {
    /**
     * What every position's keys and values depend on besides the tokens and media: the LoRA adapter bound on the
     * decoder runs (§5.2), the input mode (it also selects the speech projection of audio features) and whether the
     * prompt runs with the long RoPE factors (longer than {@code original_max_position_embeddings}, §4.4).
     */
    public record Root(Adapter adapter, InputMode mode, boolean longRope) {}

    private final int[] ids;
    private final Root root;
    private final byte[] mediaDigest;
    private final PrefillChunks chunks;
    private final boolean[] blockHasMedia;
    private final int lastMedia;

    private PromptBlocks(
            int[] ids, Root root, byte[] mediaDigest, PrefillChunks chunks, boolean[] blockHasMedia, int lastMedia) {
        this.ids = ids;
        this.root = root;
        this.mediaDigest = mediaDigest;
        this.chunks = chunks;
        this.blockHasMedia = blockHasMedia;
        this.lastMedia = lastMedia;
    }

    /**
     * @param ids the expanded prompt (shared, not copied)
     * @param mediaDigest digest of all the request's media in prompt order (null for none): the features of a
     *     placeholder position come from one media encoder run over all of them
     * @param placeholders the ids whose positions take media feature rows
     * @param chunks the engine's aligned prefill ({@link PrefillChunks#aligned}): block size and threshold
     */
    public static PromptBlocks of(int[] ids, Root root, byte[] mediaDigest, int[] placeholders, PrefillChunks chunks) {
        if (!chunks.aligned()) {
            throw new IllegalArgumentException("prefix blocks need the aligned prefill, got " + chunks);
        }
        if (root.longRope() != (ids.length > chunks.threshold())) {
            throw new IllegalArgumentException("RoPE regime of " + root + " does not fit a prompt of " + ids.length);
        }
        int block = chunks.chunk();
        boolean[] hasMedia = new boolean[ids.length / block];
        int last = -1;
        for (int i = 0; i < ids.length; i++) {
            for (int p : placeholders) {
                if (ids[i] == p) {
                    last = i;
                    if (i / block < hasMedia.length) {
                        hasMedia[i / block] = true;
                    }
                }
            }
        }
        byte[] digest = last < 0 ? null : mediaDigest == null ? new byte[0] : mediaDigest.clone();
        return new PromptBlocks(ids, root, digest, chunks, hasMedia, last);
    }

    public int length() {
        return ids.length;
    }

    public int blockTokens() {
        return chunks.chunk();
    }

    Root root() {
        return root;
    }

    /** Whether any position from {@code position} on is a media placeholder. */
    public boolean mediaFrom(int position) {
        return lastMedia >= position;
    }

    /** Block {@code b}'s token ids. */
    int[] tokens(int b) {
        int block = chunks.chunk();
        return Arrays.copyOfRange(ids, b * block, (b + 1) * block);
    }

    /** The media digest when block {@code b} holds a placeholder, else null. */
    byte[] media(int b) {
        return blockHasMedia[b] ? mediaDigest : null;
    }

    /** Full blocks of the prompt. */
    int fullBlocks() {
        return blockHasMedia.length;
    }

    /**
     * How many of {@code matched} cached leading blocks may be reused: at least the last prompt position is always
     * run (its logits choose the first token), and a prompt with long factors reuses only blocks past its first
     * decoder run, which must be wider than the threshold ({@link PrefillChunks}), else none.
     */
    int reusable(int matched) {
        int block = chunks.chunk();
        int n = Math.min(matched, (ids.length - 1) / block);
        if (root.longRope() && (long) n * block < chunks.firstLongEnd()) {
            return 0;
        }
        return n;
    }

    /**
     * How many leading full blocks were computed by the canonical aligned runs and may be stored: all of them, except
     * for a prompt with long factors shorter than the canonical first run (its one run covered another range).
     */
    int storable() {
        if (root.longRope() && ids.length < chunks.firstLongEnd()) {
            return 0;
        }
        return fullBlocks();
    }
}

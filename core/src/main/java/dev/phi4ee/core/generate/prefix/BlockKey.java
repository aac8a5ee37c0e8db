package dev.phi4ee.core.generate.prefix;

import java.util.Arrays;
import java.util.Objects;

/**
 * The exact identity of a cached block: its parent (the {@link PromptBlocks.Root} for the first block of a prompt,
 * else the parent block itself, compared by identity), its token ids and the media digest when it holds placeholders.
 * Exact comparison rather than vLLM's hash chain: a hash collision can never hand one prompt another's keys.
 */
final class BlockKey {
    private final Object parent;
    private final int[] tokens;
    private final byte[] media;
    private final int hash;

    BlockKey(Object parent, int[] tokens, byte[] media) {
        this.parent = Objects.requireNonNull(parent);
        this.tokens = tokens;
        this.media = media;
        this.hash = 31 * (31 * parent.hashCode() + Arrays.hashCode(tokens)) + Arrays.hashCode(media);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockKey k
                && hash == k.hash
                && parent.equals(k.parent)
                && Arrays.equals(tokens, k.tokens)
                && Arrays.equals(media, k.media);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}

package dev.phi4ee.core.generate.prefix;

import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.ort.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keys and values of prompt prefixes kept for reuse (vLLM's automatic prefix caching, block-granular): a prompt's
 * full blocks are stored after its prefill; a later prompt whose leading blocks have the same chain ({@link
 * PromptBlocks}: tokens, media, adapter, RoPE regime) gets them copied into its own cache and runs only the rest.
 *
 * <p>A block holds all layers' keys and values of its positions in one tensor {@code [layers × 2 × kv_heads, block,
 * head_size]}, in the KV cache's {@link Placement} (device memory on CUDA; copies are then graph runs there). At most
 * {@code bytes / blockBytes} blocks are held; storing beyond evicts the least recently used block that no cached block
 * continues (leaves first, so a chain shrinks from its end and never leaves unreachable blocks). Not thread-safe: used
 * by the engine thread only.
 */
public final class PrefixCache implements AutoCloseable {
    /** The cached leading blocks of one prompt, to copy into its cache; {@link #NONE} when nothing matched. */
    public static final class Match {
        public static final Match NONE = new Match(List.of(), 0);

        private final List<Block> blocks;
        private final int tokens;

        private Match(List<Block> blocks, int tokens) {
            this.blocks = blocks;
            this.tokens = tokens;
        }

        /** Prompt positions whose keys and values come from the cache. */
        public int tokens() {
            return tokens;
        }
    }

    private static final class Block {
        final BlockKey key;
        final Block parent;
        final Tensor data;
        int children;

        Block(BlockKey key, Block parent, Tensor data) {
            this.key = key;
            this.parent = parent;
            this.data = data;
        }
    }

    private final int layers;
    private final int heads;
    private final int headSize;
    private final ElementType type;
    private final Placement placement;
    private final int blockTokens;
    private final long blockBytes;
    private final int maxBlocks;
    private final Map<BlockKey, Block> index = new HashMap<>();
    /** Least recently used first. */
    private final LinkedHashSet<Block> lru = new LinkedHashSet<>();

    private long lookups;
    private long hits;
    private long reusedTokens;
    private long storedBlocks;
    private long evictions;

    /**
     * @param bytes most memory the blocks may take; fewer than one block's worth holds nothing
     */
    public PrefixCache(
            int layers, int kvHeads, int headSize, ElementType type, int blockTokens, long bytes, Placement placement) {
        this.layers = layers;
        this.heads = kvHeads;
        this.headSize = headSize;
        this.type = type;
        this.placement = placement;
        this.blockTokens = blockTokens;
        this.blockBytes = 2L * layers * kvHeads * blockTokens * headSize * type.byteSize();
        this.maxBlocks = (int) Math.min(Integer.MAX_VALUE, bytes / blockBytes);
    }

    public int blockTokens() {
        return blockTokens;
    }

    /** Bytes of one block: all layers' keys and values of {@link #blockTokens} positions. */
    public long blockBytes() {
        return blockBytes;
    }

    /** The longest reusable cached prefix of {@code prompt}; the matched blocks become the most recently used. */
    public Match lookup(PromptBlocks prompt) {
        checkBlockSize(prompt);
        lookups++;
        List<Block> found = new ArrayList<>();
        Object parent = prompt.root();
        int most = prompt.reusable(prompt.fullBlocks());
        for (int b = 0; b < most; b++) {
            Block block = index.get(new BlockKey(parent, prompt.tokens(b), prompt.media(b)));
            if (block == null) {
                break;
            }
            found.add(block);
            parent = block;
        }
        int n = prompt.reusable(found.size());
        if (n == 0) {
            return Match.NONE;
        }
        List<Block> used = List.copyOf(found.subList(0, n));
        touchLeafFirst(used);
        hits++;
        reusedTokens += (long) n * blockTokens;
        return new Match(used, n * blockTokens);
    }

    /** Copies the matched blocks into positions {@code [0, match.tokens())} of {@code into}. */
    public void load(Match match, KvRows into) {
        for (int b = 0; b < match.blocks.size(); b++) {
            copy(match.blocks.get(b), b * blockTokens, into, true);
        }
    }

    /**
     * Stores the prompt's full blocks after {@code match} from {@code from} (its cache after the prefill), as far as
     * the budget allows without evicting the prompt's own chain; nothing when a matched block was evicted since the
     * lookup (the new blocks would continue a chain no lookup reaches).
     *
     * @return blocks newly stored
     */
    public int store(PromptBlocks prompt, Match match, KvRows from) {
        checkBlockSize(prompt);
        for (Block b : match.blocks) {
            if (index.get(b.key) != b) { // evicted while the prompt's runs were spread over engine steps
                return 0;
            }
        }
        Set<Block> chain = Collections.newSetFromMap(new IdentityHashMap<>());
        chain.addAll(match.blocks);
        Block parent = match.blocks.isEmpty() ? null : match.blocks.get(match.blocks.size() - 1);
        List<Block> added = new ArrayList<>();
        int stored = 0;
        for (int b = match.blocks.size(); b < prompt.storable(); b++) {
            BlockKey key = new BlockKey(parent == null ? prompt.root() : parent, prompt.tokens(b), prompt.media(b));
            Block block = index.get(key);
            if (block == null) {
                if (!makeRoom(chain)) {
                    break;
                }
                block = new Block(
                        key, parent, placement.allocateNative(type, 2L * layers * heads, blockTokens, headSize));
                try {
                    copy(block, b * blockTokens, from, false);
                } catch (RuntimeException e) {
                    block.data.close();
                    throw e;
                }
                index.put(key, block);
                lru.add(block);
                if (parent != null) {
                    parent.children++;
                }
                stored++;
            }
            chain.add(block);
            added.add(block);
            parent = block;
        }
        touchLeafFirst(added);
        storedBlocks += stored;
        return stored;
    }

    /** Frees one block if the cache is full; false when every held block is in {@code keep} or continued. */
    private boolean makeRoom(Set<Block> keep) {
        if (index.size() < maxBlocks) {
            return true;
        }
        for (Iterator<Block> it = lru.iterator(); it.hasNext(); ) {
            Block b = it.next();
            if (b.children == 0 && !keep.contains(b)) {
                it.remove();
                index.remove(b.key);
                if (b.parent != null) {
                    b.parent.children--;
                }
                b.data.close();
                evictions++;
                return true;
            }
        }
        return false;
    }

    /** Most recently used last, the chain's first block last of all: eviction takes chain ends first. */
    private void touchLeafFirst(List<Block> chain) {
        for (int i = chain.size() - 1; i >= 0; i--) {
            lru.remove(chain.get(i));
            lru.add(chain.get(i));
        }
    }

    /**
     * One placement copy per block: every layer, kind and head, each a contiguous {@code [block, head_size]} run. In
     * host memory the runs are copied byte for byte without tensor views (the views cost more than the copies).
     */
    private void copy(Block block, int position, KvRows rows, boolean toRows) {
        long rowBytes = (long) headSize * type.byteSize();
        long headBlockBytes = blockTokens * rowBytes;
        if (block.data.isHostMemory() && rows.tensor(0, false).isHostMemory()) {
            for (int layer = 0; layer < layers; layer++) {
                for (int kind = 0; kind < 2; kind++) {
                    Tensor t = rows.tensor(layer, kind == 1);
                    for (int h = 0; h < heads; h++) {
                        long at = ((long) (layer * 2 + kind) * heads + h) * headBlockBytes;
                        long live = rows.headOffset(h) + position * rowBytes;
                        if (toRows) {
                            block.data.copyBytesTo(at, t, live, headBlockBytes);
                        } else {
                            t.copyBytesTo(live, block.data, at, headBlockBytes);
                        }
                    }
                }
            }
            return;
        }
        List<Tensor> cached = new ArrayList<>(2 * layers * heads);
        List<Tensor> live = new ArrayList<>(2 * layers * heads);
        try {
            for (int layer = 0; layer < layers; layer++) {
                for (int kind = 0; kind < 2; kind++) {
                    Tensor t = rows.tensor(layer, kind == 1);
                    for (int h = 0; h < heads; h++) {
                        long at = ((long) (layer * 2 + kind) * heads + h) * headBlockBytes;
                        cached.add(block.data.region(at, blockTokens, headSize));
                        live.add(t.region(rows.headOffset(h) + position * rowBytes, blockTokens, headSize));
                    }
                }
            }
            if (toRows) {
                placement.copy(cached, live);
            } else {
                placement.copy(live, cached);
            }
        } finally {
            cached.forEach(Tensor::close);
            live.forEach(Tensor::close);
        }
    }

    private void checkBlockSize(PromptBlocks prompt) {
        if (prompt.blockTokens() != blockTokens) {
            throw new IllegalArgumentException(
                    "prompt cut in blocks of " + prompt.blockTokens() + ", the cache holds blocks of " + blockTokens);
        }
    }

    /** Blocks held now. */
    public int blocks() {
        return index.size();
    }

    /** Most blocks the budget holds. */
    public int maxBlocks() {
        return maxBlocks;
    }

    public long lookups() {
        return lookups;
    }

    /** Lookups that reused at least one block. */
    public long hits() {
        return hits;
    }

    /** Prompt positions whose keys and values were copied instead of computed, in all. */
    public long reusedTokens() {
        return reusedTokens;
    }

    /** Bytes of the blocks held now (at most the budget). */
    public long heldBytes() {
        return index.size() * blockBytes;
    }

    public long storedBlocks() {
        return storedBlocks;
    }

    public long evictions() {
        return evictions;
    }

    @Override
    public void close() {
        lru.forEach(b -> b.data.close());
        lru.clear();
        index.clear();
    }
}

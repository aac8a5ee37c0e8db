package dev.phi4ee.core.generate.prefix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.ort.Tensor;
import dev.phi4ee.core.prompt.Adapter;
import dev.phi4ee.core.prompt.InputMode;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The block store on host tensors shaped like a decoder's KV cache ({@code [1, kv_heads, window, head_size]} per layer
 * and kind): what is matched, what is copied where, what is evicted.
 */
class PrefixCacheTest {
    static final int LAYERS = 2;
    static final int HEADS = 2;
    static final int HEAD_SIZE = 3;
    static final int WINDOW = 64;
    static final int BLOCK = 4;
    static final int THRESHOLD = 32;
    static final int IMAGE = 200_010;
    static final PromptBlocks.Root TEXT = new PromptBlocks.Root(Adapter.NONE, InputMode.LANGUAGE, false);
    static final PromptBlocks.Root VISION = new PromptBlocks.Root(Adapter.VISION, InputMode.VISION, false);
    static final PrefillChunks CHUNKS = PrefillChunks.aligned(BLOCK, THRESHOLD);

    /** A sequence's cache in host memory. */
    static final class HostKv implements KvRows, AutoCloseable {
        final Tensor[] keys = new Tensor[LAYERS];
        final Tensor[] values = new Tensor[LAYERS];

        HostKv() {
            for (int l = 0; l < LAYERS; l++) {
                keys[l] = Tensor.allocate(ElementType.FLOAT, 1, HEADS, WINDOW, HEAD_SIZE);
                values[l] = Tensor.allocate(ElementType.FLOAT, 1, HEADS, WINDOW, HEAD_SIZE);
            }
        }

        /** Writes a value naming (prompt, layer, kind, head, position, element) everywhere in [0, n). */
        HostKv fill(int prompt, int n) {
            for (int l = 0; l < LAYERS; l++) {
                for (int kind = 0; kind < 2; kind++) {
                    for (int h = 0; h < HEADS; h++) {
                        for (int p = 0; p < n; p++) {
                            for (int e = 0; e < HEAD_SIZE; e++) {
                                put(l, kind, h, p, e, value(prompt, l, kind, h, p, e));
                            }
                        }
                    }
                }
            }
            return this;
        }

        static float value(int prompt, int l, int kind, int h, int p, int e) {
            return prompt * 1e5f + l * 1e4f + kind * 1e3f + h * 100 + p + e / 10f;
        }

        void put(int l, int kind, int h, int p, int e, float v) {
            (kind == 0 ? keys : values)[l].putFloat(index(h, p, e), v);
        }

        float get(int l, int kind, int h, int p, int e) {
            return (kind == 0 ? keys : values)[l].getFloat(index(h, p, e));
        }

        private static long index(int h, int p, int e) {
            return ((long) h * WINDOW + p) * HEAD_SIZE + e;
        }

        /** Whether positions [0, n) hold exactly what {@code fill(prompt, …)} wrote. */
        boolean holds(int prompt, int n) {
            for (int l = 0; l < LAYERS; l++) {
                for (int kind = 0; kind < 2; kind++) {
                    for (int h = 0; h < HEADS; h++) {
                        for (int p = 0; p < n; p++) {
                            for (int e = 0; e < HEAD_SIZE; e++) {
                                if (get(l, kind, h, p, e) != value(prompt, l, kind, h, p, e)) {
                                    return false;
                                }
                            }
                        }
                    }
                }
            }
            return true;
        }

        @Override
        public Tensor tensor(int layer, boolean value) {
            return value ? values[layer] : keys[layer];
        }

        @Override
        public long headOffset(int head) {
            return (long) head * WINDOW * HEAD_SIZE * Float.BYTES;
        }

        @Override
        public void close() {
            Arrays.stream(keys).forEach(Tensor::close);
            Arrays.stream(values).forEach(Tensor::close);
        }
    }

    PrefixCache cache;

    PrefixCache cache(int maxBlocks) {
        long blockBytes = 2L * LAYERS * HEADS * BLOCK * HEAD_SIZE * Float.BYTES;
        cache = new PrefixCache(
                LAYERS, HEADS, HEAD_SIZE, ElementType.FLOAT, BLOCK, maxBlocks * blockBytes + 1, Placement.host());
        assertThat(cache.maxBlocks()).isEqualTo(maxBlocks);
        return cache;
    }

    @AfterEach
    void close() {
        if (cache != null) {
            cache.close();
        }
    }

    static int[] ids(int n, int seed) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 1000 + seed * 100 + i;
        }
        return ids;
    }

    static int[] withSuffix(int[] prefix, int... suffix) {
        int[] out = Arrays.copyOf(prefix, prefix.length + suffix.length);
        System.arraycopy(suffix, 0, out, prefix.length, suffix.length);
        return out;
    }

    static PromptBlocks blocks(int[] ids, PromptBlocks.Root root, byte[] media) {
        return PromptBlocks.of(ids, root, media, new int[] {IMAGE}, CHUNKS);
    }

    @Test
    void aStoredPrefixIsCopiedIntoAnotherSequenceExactly() {
        PrefixCache c = cache(16);
        int[] first = withSuffix(ids(10, 1), 7, 8); // 12 tokens: 3 full blocks
        PromptBlocks a = blocks(first, TEXT, null);
        assertThat(c.lookup(a).tokens()).isZero();
        try (HostKv donor = new HostKv().fill(1, 12);
                HostKv taker = new HostKv()) {
            assertThat(c.store(a, PrefixCache.Match.NONE, donor)).isEqualTo(3);
            // Shares the first 10 tokens: two full blocks (8 positions) match, the third differs at position 10.
            PromptBlocks b = blocks(withSuffix(ids(10, 1), 5, 5, 5, 5, 5), TEXT, null);
            PrefixCache.Match m = c.lookup(b);
            assertThat(m.tokens()).isEqualTo(8);
            c.load(m, taker);
            assertThat(taker.holds(1, 8)).isTrue();
            assertThat(taker.get(0, 0, 0, 8, 0)).as("nothing past the match").isZero();
            try (HostKv second = new HostKv().fill(2, 15)) {
                assertThat(c.store(b, m, second)).as("its own third block").isEqualTo(1);
            }
            assertThat(c.blocks()).isEqualTo(4);
            assertThat(c.reusedTokens()).isEqualTo(8);
        }
    }

    @Test
    void theLastPromptPositionIsNeverReused() {
        PrefixCache c = cache(16);
        int[] p = ids(12, 1);
        try (HostKv donor = new HostKv().fill(1, 12)) {
            c.store(blocks(p, TEXT, null), PrefixCache.Match.NONE, donor);
        }
        assertThat(c.blocks()).isEqualTo(3);
        assertThat(c.lookup(blocks(p, TEXT, null)).tokens())
                .as("the same prompt again")
                .isEqualTo(8);
        assertThat(c.lookup(blocks(Arrays.copyOf(p, 9), TEXT, null)).tokens()).isEqualTo(8);
        assertThat(c.lookup(blocks(Arrays.copyOf(p, 8), TEXT, null)).tokens()).isEqualTo(4);
    }

    @Test
    void adapterModeAndMediaAreTheKeyAsWellAsTheTokens() {
        PrefixCache c = cache(16);
        int[] image = ids(16, 1);
        Arrays.fill(image, 4, 10, IMAGE); // placeholders in blocks 1 and 2
        byte[] red = {1, 2, 3};
        byte[] blue = {4, 5, 6};
        try (HostKv donor = new HostKv().fill(1, 16)) {
            c.store(blocks(image, VISION, red), PrefixCache.Match.NONE, donor);
        }
        int[] asked = withSuffix(image, 9, 9);
        assertThat(c.lookup(blocks(asked, VISION, red)).tokens()).isEqualTo(16);
        assertThat(c.lookup(blocks(asked, VISION, blue.clone())).tokens())
                .as("other media, same placeholders: only the block before them")
                .isEqualTo(4);
        assertThat(c.lookup(blocks(asked, TEXT, red)).tokens())
                .as("other adapter")
                .isZero();
        assertThat(c.lookup(blocks(asked, new PromptBlocks.Root(Adapter.VISION, InputMode.VISION_SPEECH, false), red))
                        .tokens())
                .as("other input mode")
                .isZero();
        assertThat(c.lookup(blocks(asked, VISION, new byte[] {1, 2, 3})).tokens())
                .as("digests compare by content")
                .isEqualTo(16);
    }

    @Test
    void aPromptWithLongFactorsReusesOnlyBlocksPastItsFirstRunAndStoresOnlyCanonicalRuns() {
        PrefixCache c = cache(64);
        PromptBlocks.Root longRope = new PromptBlocks.Root(Adapter.NONE, InputMode.LANGUAGE, true);
        int[] shortLong = ids(34, 3); // > 32 but shorter than the canonical first run (36): one run [0, 34)
        try (HostKv donor = new HostKv().fill(3, 34)) {
            assertThat(c.store(blocks(shortLong, longRope, null), PrefixCache.Match.NONE, donor))
                    .isZero();
        }
        int[] p = ids(45, 3);
        try (HostKv donor = new HostKv().fill(3, 45)) {
            assertThat(c.store(blocks(p, longRope, null), PrefixCache.Match.NONE, donor))
                    .isEqualTo(11);
        }
        assertThat(c.lookup(blocks(withSuffix(p, 1), longRope, null)).tokens()).isEqualTo(44);
        assertThat(c.lookup(blocks(withSuffix(Arrays.copyOf(p, 37), 1), longRope, null))
                        .tokens())
                .isEqualTo(36);
        assertThat(c.lookup(blocks(withSuffix(Arrays.copyOf(p, 35), 1), longRope, null))
                        .tokens())
                .as("the match would end inside the first run, which must be wider than the threshold")
                .isZero();
        assertThat(c.lookup(blocks(Arrays.copyOf(p, 30), TEXT, null)).tokens())
                .as("short factors never reuse long-factor blocks")
                .isZero();
    }

    @Test
    void aTinyBudgetEvictsLeastRecentlyUsedChainEndsAndNeverStrandsABlock() {
        PrefixCache c = cache(3);
        int[] a = ids(17, 1); // 4 full blocks, only 3 fit
        int[] b = ids(9, 2); // 2 full blocks
        try (HostKv ka = new HostKv().fill(1, 17);
                HostKv kb = new HostKv().fill(2, 9);
                HostKv taker = new HostKv()) {
            assertThat(c.store(blocks(a, TEXT, null), PrefixCache.Match.NONE, ka))
                    .as("stops when only its own chain could be evicted")
                    .isEqualTo(3);
            assertThat(c.store(blocks(b, TEXT, null), PrefixCache.Match.NONE, kb))
                    .isEqualTo(2);
            assertThat(c.evictions()).isEqualTo(2);
            assertThat(c.blocks()).isEqualTo(3);
            // a's chain lost its end, not its start: a still reuses its first block, b both of its blocks.
            PrefixCache.Match ma = c.lookup(blocks(a, TEXT, null));
            assertThat(ma.tokens()).isEqualTo(4);
            c.load(ma, taker);
            assertThat(taker.holds(1, 4)).isTrue();
            assertThat(c.lookup(blocks(withSuffix(b, 1), TEXT, null)).tokens()).isEqualTo(8);
        }
    }

    @Test
    void aZeroBudgetHoldsNothing() {
        PrefixCache c = cache(0);
        try (HostKv donor = new HostKv().fill(1, 12)) {
            assertThat(c.store(blocks(ids(12, 1), TEXT, null), PrefixCache.Match.NONE, donor))
                    .isZero();
        }
        assertThat(c.lookup(blocks(ids(12, 1), TEXT, null)).tokens()).isZero();
    }
}

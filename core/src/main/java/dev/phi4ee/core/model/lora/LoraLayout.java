package dev.phi4ee.core.model.lora;

import dev.phi4ee.core.api.ModelFormatException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The LoRA weights of one source (the text graph's overridable inputs, or one adapter file) and the rank of each
 * target, read from the shapes (reference §5.1): float lora_A {@code [in, r]} / lora_B {@code [r, out]}; int4
 * lora_A {@code [r, blocks(K), 16]} with lora_B {@code [N, ceil(r/bs), 16]}. Every weight of a target must agree on
 * the rank.
 */
public final class LoraLayout {
    private final String source;
    private final int blockSize;
    private final Map<String, LoraTensor> tensors = new LinkedHashMap<>();
    private final Map<String, long[]> dims = new LinkedHashMap<>();
    private final Map<String, Integer> ranks = new LinkedHashMap<>();

    private LoraLayout(String source, int blockSize) {
        this.source = source;
        this.blockSize = blockSize;
    }

    /**
     * Reads the ranks of {@code shapes} (tensor name → dims; every name must be a LoRA weight's).
     *
     * @param source file name used in error messages
     * @param blockSize MatMulNBits block size of the int4 form
     * @throws ModelFormatException naming {@code source} and the parameter when a shape is malformed or a target's
     *     weights disagree on the rank
     */
    public static LoraLayout of(String source, Map<String, long[]> shapes, int blockSize) {
        LoraLayout layout = new LoraLayout(source, blockSize);
        for (var e : shapes.entrySet()) {
            LoraTensor t = LoraTensor.parse(e.getKey())
                    .orElseThrow(() -> new ModelFormatException(
                            source + ": parameter " + e.getKey() + " is not a LoRA weight (…lora_A… / …lora_B…)"));
            layout.tensors.put(t.name(), t);
            layout.dims.put(t.name(), e.getValue().clone());
        }
        layout.readRanks();
        return layout;
    }

    private void readRanks() {
        Map<String, String> rankFrom = new LinkedHashMap<>();
        for (LoraTensor t : tensors.values()) {
            long[] d = dims.get(t.name());
            int expectedDims = t.form() == LoraTensor.Form.FLOAT ? 2 : t.form() == LoraTensor.Form.Q4 ? 3 : -1;
            if (expectedDims > 0 && d.length != expectedDims) {
                throw error(t, "expected " + expectedDims + " dimensions, found " + Arrays.toString(d));
            }
            for (long v : d) {
                if (v <= 0) {
                    throw error(t, "dimensions must be positive, found " + Arrays.toString(d));
                }
            }
            long rank =
                    switch (t.form()) {
                        case FLOAT -> t.isA() ? d[1] : d[0];
                        case Q4 -> t.isA() ? d[0] : -1;
                        case SCALES -> -1;
                    };
            if (rank < 0) {
                continue;
            }
            if (rank > Integer.MAX_VALUE) {
                throw error(t, "rank " + rank + " out of range");
            }
            Integer known = ranks.putIfAbsent(t.target(), (int) rank);
            if (known == null) {
                rankFrom.put(t.target(), t.name());
            } else if (known != rank) {
                throw error(t, "rank " + rank + " disagrees with rank " + known + " of " + rankFrom.get(t.target()));
            }
        }
        for (LoraTensor t : tensors.values()) {
            Integer r = ranks.get(t.target());
            if (r == null) {
                throw error(t, "no lora_A or float lora_B weight of " + t.target() + " gives its rank");
            }
            long[] d = dims.get(t.name());
            if (t.form() == LoraTensor.Form.Q4 && !t.isA() && d[1] != blocks(r)) {
                throw error(
                        t,
                        "int4 lora_B has " + d[1] + " blocks but rank " + r + " needs " + blocks(r) + " (block size "
                                + blockSize + ")");
            }
        }
    }

    private ModelFormatException error(LoraTensor t, String what) {
        return new ModelFormatException(source + ": LoRA parameter " + t.name() + ": " + what);
    }

    /** Number of MatMulNBits blocks covering {@code k} input positions. */
    long blocks(long k) {
        return (k + blockSize - 1) / blockSize;
    }

    public String source() {
        return source;
    }

    public int blockSize() {
        return blockSize;
    }

    /** Rank per target, e.g. {@code model.layers.0.attn.q_proj → 256}. */
    public Map<String, Integer> ranks() {
        return Collections.unmodifiableMap(ranks);
    }

    public Map<String, LoraTensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    public long[] dims(String name) {
        return dims.get(name).clone();
    }

    /** {@code true} when any weight is in the int4 MatMulNBits form. */
    public boolean isInt4() {
        return tensors.values().stream().anyMatch(t -> t.form() != LoraTensor.Form.FLOAT);
    }

    /** Shape of {@code name} after widening its target from rank r to {@code rankR}. */
    long[] widenedDims(String name, int rankR) {
        LoraTensor t = tensors.get(name);
        long[] d = dims(name);
        int r = ranks.get(t.target());
        switch (t.form()) {
            case FLOAT -> d[t.isA() ? 1 : 0] = rankR;
            case Q4 -> {
                if (t.isA()) {
                    d[0] = rankR;
                } else {
                    d[1] = blocks(rankR);
                }
            }
            case SCALES -> {
                // [N·blocks] or [N, blocks]: lora_A grows in N (= rank), lora_B in blocks (K = rank).
                if (t.isA()) {
                    d[0] = d.length == 1 ? d[0] / r * rankR : rankR;
                } else if (d.length == 1) {
                    d[0] = d[0] / blocks(r) * blocks(rankR);
                } else {
                    d[1] = blocks(rankR);
                }
            }
        }
        return d;
    }

    /** Bytes of {@code name} after widening its target to {@code rankR}. */
    long widenedSize(String name, int elementSize, int rankR) {
        long size = elementSize;
        for (long v : widenedDims(name, rankR)) {
            size = Math.multiplyExact(size, v);
        }
        return size;
    }

    /**
     * The bytes of {@code name} zero-padded from its target's rank to {@code rankR} (reference §5.4 c).
     *
     * @param elementSize bytes per element of the tensor's data type
     */
    byte[] widen(String name, byte[] data, int elementSize, int rankR) {
        long size = widenedSize(name, elementSize, rankR);
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(name + ": padded tensor of " + size + " bytes exceeds 2 GiB");
        }
        byte[] out = new byte[(int) size];
        widen(name, ByteBuffer.wrap(data), ByteBuffer.wrap(out), elementSize, rankR);
        return out;
    }

    /**
     * Writes {@code src} (the bytes of {@code name}, indexes 0 to its limit) zero-padded from its target's rank to
     * {@code rankR} into {@code dst} (indexes 0 to its limit = {@link #widenedSize}).
     */
    void widen(String name, ByteBuffer src, ByteBuffer dst, int elementSize, int rankR) {
        LoraTensor t = tensors.get(name);
        long[] d = dims(name);
        int r = ranks.get(t.target());
        switch (t.form()) {
            case FLOAT -> {
                if (t.isA()) {
                    RankPadding.padColumns(src, dst, d[0], r, rankR, elementSize);
                } else {
                    RankPadding.padRows(src, dst, (byte) 0);
                }
            }
            case Q4 -> {
                if (t.isA()) {
                    RankPadding.padRows(src, dst, RankPadding.ZERO_NIBBLES);
                } else {
                    RankPadding.padBlocks(src, dst, d[0], d[1], blocks(rankR), (int) d[2], RankPadding.ZERO_NIBBLES);
                }
            }
            case SCALES -> {
                if (t.isA()) {
                    RankPadding.padRows(src, dst, (byte) 0);
                } else {
                    RankPadding.padBlocks(
                            src,
                            dst,
                            d.length == 1 ? d[0] / blocks(r) : d[0],
                            blocks(r),
                            blocks(rankR),
                            elementSize,
                            (byte) 0);
                }
            }
        }
    }

    /**
     * Checks that {@code other} (an adapter) fits this layout (the graph) in everything but the rank: same targets,
     * forms and non-rank dimensions.
     *
     * @throws ModelFormatException naming the adapter file and parameter
     */
    void checkCompatible(LoraLayout other) {
        for (LoraTensor t : other.tensors.values()) {
            if (!tensors.containsKey(t.name())) {
                throw other.error(t, "the text graph has no LoRA input of this name");
            }
            int rankR = other.ranks.get(t.target());
            long[] expected = widenedDims(t.name(), rankR);
            if (!Arrays.equals(expected, other.dims.get(t.name()))) {
                throw other.error(
                        t,
                        "shape " + Arrays.toString(other.dims.get(t.name())) + " does not match the text graph's "
                                + Arrays.toString(dims.get(t.name())) + " at rank " + rankR);
            }
        }
    }
}

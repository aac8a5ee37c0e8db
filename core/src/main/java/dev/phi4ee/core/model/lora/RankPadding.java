package dev.phi4ee.core.model.lora;

import java.util.Arrays;

/**
 * Zero padding of a LoRA rank r → R on raw little-endian tensor bytes, shared by the graph's default initializers
 * and by adapters (reference §5.4 option c). Padding is exact: with A′ = [A, 0] (extra columns) and B′ = [B; 0]
 * (extra rows), x·A′·B′ = x·A·B, because the extra columns of x·A′ are exactly zero.
 *
 * <p>int4 (MatMulNBits, symmetric, zero point 8): padded lora_A output rows are bytes {@code 0x88} (every nibble at
 * the zero point) with scale 0, so they dequantize to exactly 0; lora_B gains whole blocks per output row
 * ({@code ceil(R/bs) − ceil(r/bs)}), also {@code 0x88} / scale 0, leaving existing blocks and scales untouched (no
 * requantization).
 */
public final class RankPadding {
    /** A byte whose two 4-bit values both equal the MatMulNBits default zero point 8: dequantizes to 0. */
    static final byte ZERO_NIBBLES = (byte) 0x88;

    private RankPadding() {}

    /** Float lora_A {@code [in, r]} → {@code [in, R]}: zero columns appended to every row. */
    public static byte[] padColumns(byte[] data, long rows, long r, long rankR, int elementSize) {
        long rowIn = r * elementSize;
        long rowOut = rankR * elementSize;
        byte[] out = new byte[checkedSize(rows * rowOut)];
        for (long i = 0; i < rows; i++) {
            System.arraycopy(data, (int) (i * rowIn), out, (int) (i * rowOut), (int) rowIn);
        }
        return out;
    }

    /** Float lora_B {@code [r, out]} → {@code [R, out]}, or int4 lora_A weight/scales: zero rows appended. */
    public static byte[] padRows(byte[] data, long newSize, byte fill) {
        byte[] out = Arrays.copyOf(data, checkedSize(newSize));
        if (fill != 0) {
            Arrays.fill(out, data.length, out.length, fill);
        }
        return out;
    }

    /**
     * int4 lora_B weight {@code [N, blocks, bytesPerBlock]} → {@code [N, newBlocks, bytesPerBlock]} or its scales
     * {@code [N · blocks]} (bytesPerBlock = scale size): blocks appended to each output row, filled with {@code fill}.
     */
    public static byte[] padBlocks(byte[] data, long n, long blocks, long newBlocks, int bytesPerBlock, byte fill) {
        long rowIn = blocks * bytesPerBlock;
        long rowOut = newBlocks * bytesPerBlock;
        byte[] out = new byte[checkedSize(n * rowOut)];
        if (fill != 0) {
            Arrays.fill(out, fill);
        }
        for (long i = 0; i < n; i++) {
            System.arraycopy(data, (int) (i * rowIn), out, (int) (i * rowOut), (int) rowIn);
        }
        return out;
    }

    private static int checkedSize(long size) {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("padded tensor of " + size + " bytes exceeds 2 GiB");
        }
        return (int) size;
    }
}

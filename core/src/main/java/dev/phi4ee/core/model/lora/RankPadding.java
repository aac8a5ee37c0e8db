package dev.phi4ee.core.model.lora;

import java.nio.ByteBuffer;

/**
 * Zero padding of a LoRA rank r → R on little-endian tensor bytes, shared by the graph's default initializers and by
 * adapters (reference §5.4 option c). Padding is exact: with A′ = [A, 0] (extra columns) and B′ = [B; 0] (extra
 * rows), x·A′·B′ = x·A·B, because the extra columns of x·A′ are exactly zero.
 *
 * <p>int4 (MatMulNBits, symmetric, zero point 8): padded lora_A output rows are bytes {@code 0x88} (every nibble at
 * the zero point) with scale 0, so they dequantize to exactly 0; lora_B gains whole blocks per output row
 * ({@code ceil(R/bs) − ceil(r/bs)}), also {@code 0x88} / scale 0, leaving existing blocks and scales untouched (no
 * requantization).
 *
 * <p>Buffers are addressed absolutely from index 0 to their limit: {@code src} holds exactly the tensor's bytes,
 * {@code dst} exactly the padded size. Neither position is used or moved, so {@code src} can be a view of a mapped
 * file and {@code dst} the memory of a native tensor: nothing is copied twice.
 */
public final class RankPadding {
    /** A byte whose two 4-bit values both equal the MatMulNBits default zero point 8: dequantizes to 0. */
    static final byte ZERO_NIBBLES = (byte) 0x88;

    private static final int FILL_CHUNK = 4096;

    private RankPadding() {}

    /** Float lora_A {@code [in, r]} → {@code [in, R]}: zero columns appended to every row. */
    public static void padColumns(ByteBuffer src, ByteBuffer dst, long rows, long r, long rankR, int elementSize) {
        spread(src, dst, rows, r * elementSize, rankR * elementSize, (byte) 0);
    }

    /** Float lora_B {@code [r, out]} → {@code [R, out]}, or int4 lora_A weight/scales: rows appended. */
    public static void padRows(ByteBuffer src, ByteBuffer dst, byte fill) {
        int n = checkedFits(src.limit(), dst.limit());
        dst.put(0, src, 0, n);
        fill(dst, n, dst.limit() - n, filler(dst.limit() - n, fill));
    }

    /**
     * int4 lora_B weight {@code [N, blocks, bytesPerBlock]} → {@code [N, newBlocks, bytesPerBlock]} or its scales
     * {@code [N · blocks]} (bytesPerBlock = scale size): blocks appended to each output row, filled with {@code fill}.
     */
    public static void padBlocks(
            ByteBuffer src, ByteBuffer dst, long n, long blocks, long newBlocks, int bytesPerBlock, byte fill) {
        spread(src, dst, n, blocks * bytesPerBlock, newBlocks * bytesPerBlock, fill);
    }

    /** Copies {@code rows} rows of {@code rowIn} bytes to rows of {@code rowOut} bytes, filling each row's tail. */
    private static void spread(ByteBuffer src, ByteBuffer dst, long rows, long rowIn, long rowOut, byte fill) {
        checkedFits(rows * rowIn, src.limit());
        checkedFits(rows * rowOut, dst.limit());
        if (rows * rowIn != src.limit() || rows * rowOut != dst.limit()) {
            throw new IllegalArgumentException("tensor of " + src.limit() + " bytes is not " + rows + " rows of "
                    + rowIn + " bytes, or its padded form not " + dst.limit() + " bytes");
        }
        byte[] filler = filler(rowOut - rowIn, fill);
        for (long i = 0; i < rows; i++) {
            int at = (int) (i * rowOut);
            dst.put(at, src, (int) (i * rowIn), (int) rowIn);
            fill(dst, at + (int) rowIn, (int) (rowOut - rowIn), filler);
        }
    }

    private static byte[] filler(long length, byte value) {
        byte[] chunk = new byte[(int) Math.min(length, FILL_CHUNK)];
        java.util.Arrays.fill(chunk, value);
        return chunk;
    }

    private static void fill(ByteBuffer dst, int at, int length, byte[] filler) {
        for (int done = 0; done < length; done += filler.length) {
            dst.put(at + done, filler, 0, Math.min(filler.length, length - done));
        }
    }

    private static int checkedFits(long size, long limit) {
        if (size > limit) {
            throw new IllegalArgumentException("padded tensor needs " + size + " bytes, the buffer has " + limit);
        }
        return (int) size;
    }
}

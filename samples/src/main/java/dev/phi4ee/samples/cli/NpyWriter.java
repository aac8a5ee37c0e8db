package dev.phi4ee.samples.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Writes NumPy {@code .npy} files (format version 1.0) so that tensors can be compared with the Python reference:
 * magic, a little-endian header length, a Python-literal header dict padded to a multiple of 64 bytes, then the
 * raw little-endian data in C order.
 */
final class NpyWriter {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

    private NpyWriter() {}

    /** float32 array of the given shape; {@code data} holds the elements in its own byte order. */
    static void writeFloat32(Path file, long[] shape, ByteBuffer data) throws IOException {
        write(file, "<f4", 4, shape, data);
    }

    /** int64 array of the given shape. */
    static void writeInt64(Path file, long[] shape, ByteBuffer data) throws IOException {
        write(file, "<i8", 8, shape, data);
    }

    static String header(String descr, long[] shape) {
        String dims = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
        if (shape.length == 1) {
            dims += ",";
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = MAGIC.length + 2 + dict.length() + 1; // + terminating newline
        int padding = (64 - unpadded % 64) % 64;
        return dict + " ".repeat(padding) + "\n";
    }

    private static void write(Path file, String descr, int elementSize, long[] shape, ByteBuffer data)
            throws IOException {
        long elements = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        ByteBuffer src = data.duplicate().order(data.order());
        if ((long) src.remaining() != elements * elementSize) {
            throw new IllegalArgumentException("data holds " + src.remaining() + " bytes, shape "
                    + Arrays.toString(shape) + " needs " + elements * elementSize);
        }
        byte[] header = header(descr, shape).getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = Files.newOutputStream(file);
                WritableByteChannel ch = Channels.newChannel(out)) {
            out.write(MAGIC);
            out.write(header.length & 0xFF);
            out.write(header.length >>> 8);
            out.write(header);
            out.flush();
            if (src.order() == ByteOrder.LITTLE_ENDIAN) {
                while (src.hasRemaining()) {
                    ch.write(src);
                }
            } else {
                ByteBuffer le = ByteBuffer.allocate(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
                while (src.hasRemaining()) {
                    if (elementSize == 4) {
                        le.putInt(src.getInt());
                    } else {
                        le.putLong(src.getLong());
                    }
                }
                ch.write(le.flip());
            }
        }
    }
}

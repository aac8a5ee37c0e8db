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
 * Writes NumPy {@code .npy} files (format version 1.0) so preprocessing outputs can be compared with the Python
 * reference by {@code numpy.load}. The data is written as the buffer holds it; its byte order goes into the dtype.
 */
public final class NpyWriter {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

    private NpyWriter() {}

    /** float32 array of {@code shape} from {@code data} (position 0 … limit). */
    public static void writeFloat32(Path file, long[] shape, ByteBuffer data) throws IOException {
        write(file, byteOrderMark(data) + "f4", shape, data, 4);
    }

    /** int64 array. */
    public static void writeInt64(Path file, long[] shape, ByteBuffer data) throws IOException {
        write(file, byteOrderMark(data) + "i8", shape, data, 8);
    }

    /** bool array, one byte (0/1) per element. */
    public static void writeBool(Path file, long[] shape, ByteBuffer data) throws IOException {
        write(file, "|b1", shape, data, 1);
    }

    private static String byteOrderMark(ByteBuffer data) {
        return data.order() == ByteOrder.LITTLE_ENDIAN ? "<" : ">";
    }

    private static void write(Path file, String descr, long[] shape, ByteBuffer data, int elementSize)
            throws IOException {
        long elements = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        if (elements * elementSize != data.limit()) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + descr + " needs "
                    + elements * elementSize + " bytes, buffer holds " + data.limit());
        }
        try (OutputStream out = Files.newOutputStream(file);
                WritableByteChannel channel = Channels.newChannel(out)) {
            out.write(header(descr, shape));
            ByteBuffer view = data.duplicate();
            view.position(0);
            while (view.hasRemaining()) {
                channel.write(view);
            }
        }
    }

    /** Magic, version, little-endian header length, then the dict padded with spaces to a 64-byte boundary. */
    static byte[] header(String descr, long[] shape) {
        String dims = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
        if (shape.length == 1) {
            dims += ",";
        }
        StringBuilder dict =
                new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }");
        int unpadded = MAGIC.length + 2 + dict.length() + 1;
        dict.append(" ".repeat((64 - unpadded % 64) % 64)).append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 2 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putShort((short) text.length).put(text);
        return b.array();
    }
}

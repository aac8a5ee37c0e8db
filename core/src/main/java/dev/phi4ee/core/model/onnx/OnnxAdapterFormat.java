package dev.phi4ee.core.model.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Encoder and decoder of ONNX Runtime's LoRA adapter files ({@code .onnx_adapter}, reference §2.1, §5.1): a
 * FlatBuffers buffer with file identifier {@code "TORT"} and root table {@code Adapter { format_version:int;
 * adapter_version:int; model_version:int; parameters:[Parameter] }}, {@code Parameter { name:string; dims:[int64];
 * data_type:int32 (ONNX TensorProto.DataType); raw_data:[uint8] (force_align 8) }} — onnxruntime
 * {@code lora/adapter_format/adapter_schema.fbs}, format version 1.
 *
 * <p>Written front to back (root table first, children after it, as unsigned FlatBuffers offsets allow), with
 * every scalar aligned to its size and {@code raw_data} bytes 8-aligned so ONNX Runtime's verifier accepts it and
 * can map tensors in place. Used by the test kit to write adapters. The runtime only {@link #index indexes} an
 * adapter (names, shapes, where each tensor's bytes are) and copies the bytes from the mapped file straight into its
 * tensors: the release's adapters are 250 and 313 MB (reference §5.1).
 */
public final class OnnxAdapterFormat {
    /** The only adapter format version ONNX Runtime accepts. */
    public static final int FORMAT_VERSION = 1;

    private static final byte[] IDENTIFIER = "TORT".getBytes(StandardCharsets.US_ASCII);

    private OnnxAdapterFormat() {}

    /**
     * One adapter tensor. {@code data} holds the little-endian element bytes; {@code dataType} is the ONNX
     * {@code TensorProto.DataType} number (1 float, 10 float16, …).
     */
    public record Parameter(String name, long[] dims, int dataType, byte[] data) {
        public Parameter {
            Objects.requireNonNull(name, "name");
            dims = dims.clone();
            Objects.requireNonNull(data, "data");
        }

        @Override
        public long[] dims() {
            return dims.clone();
        }
    }

    /** A decoded adapter file. */
    public record Adapter(int formatVersion, int adapterVersion, int modelVersion, List<Parameter> parameters) {
        public Adapter {
            parameters = List.copyOf(parameters);
        }
    }

    /**
     * One adapter tensor without its bytes: they are the {@code length} bytes at {@code offset} of the indexed
     * buffer.
     */
    public record Slice(String name, long[] dims, int dataType, int offset, int length) {
        public Slice {
            Objects.requireNonNull(name, "name");
            dims = dims.clone();
        }

        @Override
        public long[] dims() {
            return dims.clone();
        }

        /** The tensor's bytes: a view of {@code indexed} (the buffer this slice was indexed from), no copy. */
        public ByteBuffer data(ByteBuffer indexed) {
            return indexed.slice(offset, length).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** An adapter file's header and the position of every tensor's bytes, read without copying them. */
    public record Index(int formatVersion, int adapterVersion, int modelVersion, List<Slice> parameters) {
        public Index {
            parameters = List.copyOf(parameters);
        }
    }

    /** Encodes an adapter with the current format version. */
    public static byte[] encode(int adapterVersion, int modelVersion, List<Parameter> parameters) {
        HeapWriter w = new HeapWriter();
        try {
            write(w, adapterVersion, modelVersion, parameters);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a heap buffer does not fail
        }
        return w.toByteArray();
    }

    /**
     * Writes an adapter file with the current format version, front to back. Each parameter is taken from the list
     * once, in order, and its bytes go straight to the file: a lazily generated list never holds the whole adapter in
     * memory (the release's are 250 and 313 MB).
     */
    public static void write(Path file, int adapterVersion, int modelVersion, List<Parameter> parameters)
            throws IOException {
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ChannelWriter w = new ChannelWriter(ch);
            write(w, adapterVersion, modelVersion, parameters);
            w.flush();
        }
    }

    private static void write(Writer w, int adapterVersion, int modelVersion, List<Parameter> parameters)
            throws IOException {
        w.putInt(0); // root offset, patched below
        w.putBytes(IDENTIFIER);

        long adapterTable = w.table(new int[] {4, 8, 12, 16}, 20);
        w.putIntAt(0, (int) adapterTable);
        w.putIntAt(adapterTable + 4, FORMAT_VERSION);
        w.putIntAt(adapterTable + 8, adapterVersion);
        w.putIntAt(adapterTable + 12, modelVersion);

        w.align(4);
        long vector = w.position();
        w.patchOffset(adapterTable + 16, vector);
        int count = parameters.size();
        w.putInt(count);
        long slots = w.position();
        for (int i = 0; i < count; i++) {
            w.putInt(0);
        }
        for (int i = 0; i < count; i++) {
            Parameter p = parameters.get(i);
            long table = w.table(new int[] {4, 8, 12, 16}, 20);
            w.patchOffset(slots + 4L * i, table);
            w.putIntAt(table + 12, p.dataType());

            w.align(4);
            w.patchOffset(table + 4, w.position());
            byte[] name = p.name().getBytes(StandardCharsets.UTF_8);
            w.putInt(name.length);
            w.putBytes(name);
            w.putBytes(new byte[1]);

            w.alignForVector(8);
            w.patchOffset(table + 8, w.position());
            long[] dims = p.dims();
            w.putInt(dims.length);
            for (long d : dims) {
                w.putLong(d);
            }

            w.alignForVector(8);
            w.patchOffset(table + 16, w.position());
            w.putInt(p.data().length);
            w.putBytes(p.data());
        }
        w.align(8);
    }

    /**
     * Decodes an adapter file's bytes.
     *
     * @throws IllegalArgumentException if the bytes are not an adapter-format buffer
     */
    public static Adapter decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        Index index = index(b);
        List<Parameter> parameters = new ArrayList<>();
        for (Slice s : index.parameters()) {
            byte[] data = new byte[s.length()];
            System.arraycopy(bytes, s.offset(), data, 0, data.length);
            parameters.add(new Parameter(s.name(), s.dims(), s.dataType(), data));
        }
        return new Adapter(index.formatVersion(), index.adapterVersion(), index.modelVersion(), parameters);
    }

    /**
     * Reads an adapter's header and tensor positions from {@code bytes} (e.g. a mapped file) without copying any
     * tensor data. Offsets are relative to the buffer's start; its position and limit are ignored beyond its
     * capacity.
     *
     * @throws IllegalArgumentException if the bytes are not an adapter-format buffer
     */
    public static Index index(ByteBuffer bytes) {
        ByteBuffer b = bytes.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
        if (b.limit() < 8
                || b.get(4) != IDENTIFIER[0]
                || b.get(5) != IDENTIFIER[1]
                || b.get(6) != IDENTIFIER[2]
                || b.get(7) != IDENTIFIER[3]) {
            throw new IllegalArgumentException("not an ONNX Runtime adapter file (no \"TORT\" identifier)");
        }
        try {
            int root = b.getInt(0);
            int formatVersion = scalarInt(b, root, 0);
            int adapterVersion = scalarInt(b, root, 1);
            int modelVersion = scalarInt(b, root, 2);
            List<Slice> parameters = new ArrayList<>();
            int vector = reference(b, root, 3);
            if (vector >= 0) {
                int count = vectorLength(b, vector, 4);
                for (int i = 0; i < count; i++) {
                    int slot = vector + 4 + 4 * i;
                    int table = slot + b.getInt(slot);
                    int nameAt = reference(b, table, 0);
                    String name = "";
                    if (nameAt >= 0) {
                        byte[] utf8 = new byte[vectorLength(b, nameAt, 1)];
                        b.get(nameAt + 4, utf8);
                        name = new String(utf8, StandardCharsets.UTF_8);
                    }
                    int dimsAt = reference(b, table, 1);
                    long[] dims = new long[dimsAt < 0 ? 0 : vectorLength(b, dimsAt, 8)];
                    for (int d = 0; d < dims.length; d++) {
                        dims[d] = b.getLong(dimsAt + 4 + 8 * d);
                    }
                    int dataType = scalarInt(b, table, 2);
                    int dataAt = reference(b, table, 3);
                    int length = dataAt < 0 ? 0 : vectorLength(b, dataAt, 1);
                    parameters.add(new Slice(name, dims, dataType, dataAt < 0 ? 0 : dataAt + 4, length));
                }
            }
            return new Index(formatVersion, adapterVersion, modelVersion, parameters);
        } catch (IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("truncated or corrupt adapter file", e);
        }
    }

    /**
     * Length of the vector at {@code at}, checked against the buffer before anything is allocated for it (a corrupt
     * length must fail as a corrupt file, not as an OutOfMemoryError).
     */
    private static int vectorLength(ByteBuffer b, int at, int elementSize) {
        int length = b.getInt(at);
        if (length < 0 || (long) length * elementSize > b.limit() - at - 4L) {
            throw new IndexOutOfBoundsException("vector at " + at + " of " + length + " elements exceeds the file");
        }
        return length;
    }

    /** Position of field {@code index}'s inline data in the table at {@code table}, or −1 when absent. */
    private static int field(ByteBuffer b, int table, int index) {
        int vtable = table - b.getInt(table);
        int vtableSize = Short.toUnsignedInt(b.getShort(vtable));
        int entry = 4 + 2 * index;
        if (entry >= vtableSize) {
            return -1;
        }
        int offset = Short.toUnsignedInt(b.getShort(vtable + entry));
        return offset == 0 ? -1 : table + offset;
    }

    private static int scalarInt(ByteBuffer b, int table, int index) {
        int at = field(b, table, index);
        return at < 0 ? 0 : b.getInt(at);
    }

    private static int reference(ByteBuffer b, int table, int index) {
        int at = field(b, table, index);
        return at < 0 ? -1 : at + b.getInt(at);
    }

    /** Append-only little-endian output with patching of earlier offsets. */
    private abstract static class Writer {
        abstract long position();

        abstract void putBytes(byte[] bytes) throws IOException;

        /** Overwrites the 4 bytes at {@code at} (already written) with {@code v}. */
        abstract void putIntAt(long at, int v) throws IOException;

        void putInt(int v) throws IOException {
            putBytes(little(4).putInt(v).array());
        }

        void putLong(long v) throws IOException {
            putBytes(little(8).putLong(v).array());
        }

        void putShort(int v) throws IOException {
            putBytes(little(2).putShort((short) v).array());
        }

        private static ByteBuffer little(int size) {
            return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        }

        void align(int alignment) throws IOException {
            int pad = (int) ((alignment - position() % alignment) % alignment);
            putBytes(new byte[pad]);
        }

        /** Pads so that a vector's elements (after its 4-byte length) start at a multiple of {@code alignment}. */
        void alignForVector(int alignment) throws IOException {
            int pad = (int) ((alignment - (position() + 4) % alignment) % alignment);
            putBytes(new byte[pad]);
        }

        /** Writes a vtable then a zeroed table of {@code size} bytes; returns the table's position. */
        long table(int[] fieldOffsets, int size) throws IOException {
            align(2);
            long vtable = position();
            putShort(4 + 2 * fieldOffsets.length);
            putShort(size);
            for (int offset : fieldOffsets) {
                putShort(offset);
            }
            align(4);
            long table = position();
            putInt((int) (table - vtable));
            putBytes(new byte[size - 4]);
            return table;
        }

        /** Stores at {@code at} the unsigned offset from {@code at} to {@code target} (target after at). */
        void patchOffset(long at, long target) throws IOException {
            putIntAt(at, Math.toIntExact(target - at));
        }
    }

    /** Writes into a growing heap buffer. */
    private static final class HeapWriter extends Writer {
        private ByteBuffer buf = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);

        @Override
        long position() {
            return buf.position();
        }

        @Override
        void putBytes(byte[] bytes) {
            if (buf.remaining() < bytes.length) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + bytes.length))
                        .order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
            buf.put(bytes);
        }

        @Override
        void putIntAt(long at, int v) {
            buf.putInt((int) at, v);
        }

        byte[] toByteArray() {
            byte[] out = new byte[buf.position()];
            buf.get(0, out);
            return out;
        }
    }

    /** Writes to a file through a small buffer; offsets already flushed are patched in place. */
    private static final class ChannelWriter extends Writer {
        private final FileChannel ch;
        private final ByteBuffer pending = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        private long flushed;

        ChannelWriter(FileChannel ch) {
            this.ch = ch;
        }

        @Override
        long position() {
            return flushed + pending.position();
        }

        @Override
        void putBytes(byte[] bytes) throws IOException {
            if (bytes.length > pending.remaining()) {
                flush();
            }
            if (bytes.length > pending.remaining()) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    flushed += ch.write(b, flushed);
                }
            } else {
                pending.put(bytes);
            }
        }

        @Override
        void putIntAt(long at, int v) throws IOException {
            if (at >= flushed) {
                pending.putInt((int) (at - flushed), v);
                return;
            }
            ByteBuffer b = ByteBuffer.allocate(4)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(v)
                    .flip();
            while (b.hasRemaining()) {
                ch.write(b, at + b.position());
            }
        }

        void flush() throws IOException {
            pending.flip();
            while (pending.hasRemaining()) {
                flushed += ch.write(pending, flushed);
            }
            pending.clear();
        }
    }
}

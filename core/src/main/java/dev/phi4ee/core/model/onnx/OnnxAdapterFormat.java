package dev.phi4ee.core.model.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
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
 * can map tensors in place. Used by the test kit to write adapters and by the runtime to re-encode a zero-padded
 * adapter (rank widening, §5.4c).
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

    /** Encodes an adapter with the current format version. */
    public static byte[] encode(int adapterVersion, int modelVersion, List<Parameter> parameters) {
        Writer w = new Writer();
        w.putInt(0); // root offset, patched below
        w.putBytes(IDENTIFIER);

        int adapterTable = w.table(new int[] {4, 8, 12, 16}, 20);
        w.patchRoot(adapterTable);
        w.putIntAt(adapterTable + 4, FORMAT_VERSION);
        w.putIntAt(adapterTable + 8, adapterVersion);
        w.putIntAt(adapterTable + 12, modelVersion);

        w.align(4);
        int vector = w.position();
        w.patchOffset(adapterTable + 16, vector);
        w.putInt(parameters.size());
        int slots = w.position();
        for (int i = 0; i < parameters.size(); i++) {
            w.putInt(0);
        }
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            int table = w.table(new int[] {4, 8, 12, 16}, 20);
            w.patchOffset(slots + 4 * i, table);
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
        return w.toByteArray();
    }

    /**
     * Decodes an adapter file's bytes.
     *
     * @throws IllegalArgumentException if the bytes are not an adapter-format buffer
     */
    public static Adapter decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 8
                || bytes[4] != IDENTIFIER[0]
                || bytes[5] != IDENTIFIER[1]
                || bytes[6] != IDENTIFIER[2]
                || bytes[7] != IDENTIFIER[3]) {
            throw new IllegalArgumentException("not an ONNX Runtime adapter file (no \"TORT\" identifier)");
        }
        try {
            int root = b.getInt(0);
            int formatVersion = scalarInt(b, root, 0);
            int adapterVersion = scalarInt(b, root, 1);
            int modelVersion = scalarInt(b, root, 2);
            List<Parameter> parameters = new ArrayList<>();
            int vector = reference(b, root, 3);
            if (vector >= 0) {
                int count = b.getInt(vector);
                for (int i = 0; i < count; i++) {
                    int slot = vector + 4 + 4 * i;
                    int table = slot + b.getInt(slot);
                    int nameAt = reference(b, table, 0);
                    String name =
                            nameAt < 0 ? "" : new String(bytes, nameAt + 4, b.getInt(nameAt), StandardCharsets.UTF_8);
                    int dimsAt = reference(b, table, 1);
                    long[] dims = new long[dimsAt < 0 ? 0 : b.getInt(dimsAt)];
                    for (int d = 0; d < dims.length; d++) {
                        dims[d] = b.getLong(dimsAt + 4 + 8 * d);
                    }
                    int dataType = scalarInt(b, table, 2);
                    int dataAt = reference(b, table, 3);
                    byte[] data = new byte[dataAt < 0 ? 0 : b.getInt(dataAt)];
                    if (dataAt >= 0) {
                        System.arraycopy(bytes, dataAt + 4, data, 0, data.length);
                    }
                    parameters.add(new Parameter(name, dims, dataType, data));
                }
            }
            return new Adapter(formatVersion, adapterVersion, modelVersion, parameters);
        } catch (IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("truncated or corrupt adapter file", e);
        }
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

    /** Append-only little-endian buffer with patching of earlier offsets. */
    private static final class Writer {
        private ByteBuffer buf = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);

        int position() {
            return buf.position();
        }

        private void ensure(int more) {
            if (buf.remaining() < more) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more))
                        .order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        void putInt(int v) {
            ensure(4);
            buf.putInt(v);
        }

        void putLong(long v) {
            ensure(8);
            buf.putLong(v);
        }

        void putShort(int v) {
            ensure(2);
            buf.putShort((short) v);
        }

        void putBytes(byte[] bytes) {
            ensure(bytes.length);
            buf.put(bytes);
        }

        void putIntAt(int at, int v) {
            buf.putInt(at, v);
        }

        void align(int alignment) {
            while (buf.position() % alignment != 0) {
                putBytes(new byte[1]);
            }
        }

        /** Pads so that a vector's elements (after its 4-byte length) start at a multiple of {@code alignment}. */
        void alignForVector(int alignment) {
            while ((buf.position() + 4) % alignment != 0) {
                putBytes(new byte[1]);
            }
        }

        /** Writes a vtable then a zeroed table of {@code size} bytes; returns the table's position. */
        int table(int[] fieldOffsets, int size) {
            align(2);
            int vtable = position();
            putShort(4 + 2 * fieldOffsets.length);
            putShort(size);
            for (int offset : fieldOffsets) {
                putShort(offset);
            }
            align(4);
            int table = position();
            putInt(table - vtable);
            putBytes(new byte[size - 4]);
            return table;
        }

        void patchRoot(int table) {
            buf.putInt(0, table);
        }

        /** Stores at {@code at} the unsigned offset from {@code at} to {@code target} (target after at). */
        void patchOffset(int at, int target) {
            buf.putInt(at, target - at);
        }

        byte[] toByteArray() {
            byte[] out = new byte[buf.position()];
            buf.get(0, out);
            return out;
        }
    }
}

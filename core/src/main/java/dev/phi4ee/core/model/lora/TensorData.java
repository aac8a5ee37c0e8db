package dev.phi4ee.core.model.lora;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.model.onnx.Onnx.StringStringEntryProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Element sizes of ONNX data types and the little-endian bytes of an initializer, wherever they are stored. */
final class TensorData {
    private static final int FLOAT_DATA_PACKED = (4 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int INT32_DATA_PACKED = (5 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int RAW_DATA = (9 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int DATA_LOCATION = (14 << 3) | WireFormat.WIRETYPE_VARINT;

    private TensorData() {}

    /**
     * Bytes per element of the ONNX {@code TensorProto.DataType} number {@code dataType}, for the types a LoRA weight
     * can have (float32, float16, bfloat16, uint8/int8).
     */
    static int elementSize(int dataType, String what) {
        DataType type = DataType.forNumber(dataType);
        if (type != null) {
            switch (type) {
                case FLOAT:
                    return 4;
                case FLOAT16:
                case BFLOAT16:
                    return 2;
                case UINT8:
                case INT8:
                    return 1;
                default:
                    break;
            }
        }
        throw new ModelFormatException(what + ": unsupported data type " + dataType + " for a LoRA weight");
    }

    /**
     * The element bytes of the serialized TensorProto {@code payload} when its values are inline in one field —
     * {@code raw_data}, packed {@code int32_data} (float16/bfloat16 bit patterns or 8-bit integers, one per entry:
     * the release builder's zeros, reference §5.1) or packed {@code float_data} — decoded straight from the bytes
     * without the protobuf message and its 4-byte-per-element list. Null when they are stored otherwise (external
     * data, unpacked or several fields): then parse the message and use {@link #bytes(TensorProto, Path, String)}.
     *
     * @param count the tensor's element count (from its dims)
     */
    static byte[] inlineBytes(ByteBuffer payload, int dataType, long count, String what) throws IOException {
        int size = elementSize(dataType, what);
        long expected = count * size;
        CodedInputStream in = CodedInputStream.newInstance(payload);
        byte[] out = null;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            switch (tag) {
                case RAW_DATA, FLOAT_DATA_PACKED -> {
                    if (out != null || (tag == FLOAT_DATA_PACKED && size != 4)) {
                        return null;
                    }
                    out = in.readByteArray(); // packed fixed32 floats are their little-endian bytes
                }
                case INT32_DATA_PACKED -> {
                    if (out != null || size > 2 || expected > Integer.MAX_VALUE - 8) {
                        return null;
                    }
                    out = new byte[(int) expected];
                    int limit = in.pushLimit(in.readRawVarint32());
                    int i = 0;
                    while (in.getBytesUntilLimit() > 0) {
                        int v = in.readRawVarint32();
                        if (i >= out.length) {
                            throw new ModelFormatException(what + ": more int32_data values than its shape holds");
                        }
                        out[i++] = (byte) v;
                        if (size == 2) {
                            out[i++] = (byte) (v >> 8);
                        }
                    }
                    in.popLimit(limit);
                    if (i != out.length) {
                        throw new ModelFormatException(
                                what + ": holds " + i / size + " int32_data values, its shape " + "needs " + count);
                    }
                }
                case DATA_LOCATION -> {
                    if (in.readEnum() == TensorProto.DataLocation.EXTERNAL_VALUE) {
                        return null;
                    }
                }
                default -> {
                    if (isDataField(WireFormat.getTagFieldNumber(tag))) {
                        return null; // unpacked values, other typed fields, external data entries
                    }
                    in.skipField(tag);
                }
            }
        }
        if (out == null) {
            return expected == 0 ? new byte[0] : null; // no inline values: the general path reads or rejects them
        }
        return checkLength(out, expected, what);
    }

    private static byte[] checkLength(byte[] data, long expected, String what) {
        if (data.length != expected) {
            throw new ModelFormatException(what + ": holds " + data.length + " bytes, its shape needs " + expected);
        }
        return data;
    }

    private static boolean isDataField(int field) {
        return field == 4
                || field == 5
                || field == 6
                || field == 7
                || field == 9
                || field == 10
                || field == 11
                || field == 13;
    }

    /** The initializer's element bytes: raw_data, external data (relative to {@code baseDir}) or typed fields. */
    static byte[] bytes(TensorProto t, Path baseDir, String source) {
        String what = source + ": initializer " + t.getName();
        int size = elementSize(t.getDataType(), what);
        long count = 1;
        for (long d : t.getDimsList()) {
            count *= d;
        }
        byte[] data;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            data = external(t, baseDir, what);
        } else if (t.hasRawData()) {
            data = t.getRawData().toByteArray();
        } else if (t.getFloatDataCount() > 0) {
            ByteBuffer b = ByteBuffer.allocate(t.getFloatDataCount() * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < t.getFloatDataCount(); i++) {
                b.putFloat(t.getFloatData(i));
            }
            data = b.array();
        } else if (t.getInt32DataCount() > 0) {
            // ONNX stores float16/bfloat16 bit patterns and 8-bit integers one per int32_data entry (onnx
            // helper.make_tensor, the builder's zero defaults, reference §5.1).
            if (size == 4) {
                throw new ModelFormatException(what + ": float32 values in int32_data (ONNX uses float_data)");
            }
            int n = t.getInt32DataCount();
            ByteBuffer b = ByteBuffer.allocate(n * size).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                if (size == 2) {
                    b.putShort((short) t.getInt32Data(i));
                } else {
                    b.put((byte) t.getInt32Data(i));
                }
            }
            data = b.array();
        } else {
            data = new byte[0];
        }
        return checkLength(data, count * size, what);
    }

    private static byte[] external(TensorProto t, Path baseDir, String what) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = Long.parseLong(e.getValue());
                case "length" -> length = Long.parseLong(e.getValue());
                default -> {}
            }
        }
        if (location == null || baseDir == null) {
            throw new ModelFormatException(what + ": external data without a location or model directory");
        }
        Path file = baseDir.resolve(location);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long n = length >= 0 ? length : ch.size() - offset;
            if (n > Integer.MAX_VALUE - 8 || offset + n > ch.size()) {
                throw new ModelFormatException(what + ": external data range out of " + location);
            }
            ByteBuffer b = ByteBuffer.allocate((int) n);
            while (b.hasRemaining()) {
                if (ch.read(b, offset + b.position()) < 0) {
                    throw new ModelFormatException(what + ": external data truncated in " + location);
                }
            }
            return b.array();
        } catch (IOException e) {
            throw new ModelFormatException(what + ": cannot read external data " + location + ": " + e, e);
        }
    }
}

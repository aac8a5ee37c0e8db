package dev.phi4ee.core.model.lora;

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
            t.getFloatDataList().forEach(b::putFloat);
            data = b.array();
        } else if (t.getInt32DataCount() > 0) {
            // ONNX stores float16/bfloat16 bit patterns and 8-bit integers one per int32_data entry.
            ByteBuffer b = ByteBuffer.allocate(t.getInt32DataCount() * size).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : t.getInt32DataList()) {
                if (size == 2) {
                    b.putShort((short) v);
                } else {
                    b.put((byte) v);
                }
            }
            data = b.array();
        } else {
            data = new byte[0];
        }
        if (data.length != count * size) {
            throw new ModelFormatException(what + ": holds " + data.length + " bytes, its shape needs " + count * size);
        }
        return data;
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

package dev.phi4ee.core.model.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto.DataType;
import dev.phi4ee.core.testkit.OnnxGraphBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * A LoRA default's bytes are the same whichever way they are read: decoded straight from the serialized tensor
 * ({@link TensorData#inlineBytes}) or through the parsed message ({@link TensorData#bytes}), for each inline storage
 * onnx writes (reference §5.1: the builder's {@code int32_data}); other encodings fall back to the parsed message.
 */
class TensorDataTest {
    static final byte[] FP16 = {0x00, 0x3c, 0x00, (byte) 0xc0, (byte) 0xff, 0x7b}; // 1, -2, 65504
    static final byte[] UINT8 = {0, 1, (byte) 0x88, (byte) 0xff};
    static final byte[] FP32 = {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0}; // 1, -2

    static TensorProto raw(DataType type, byte[] bytes, long elements) {
        return TensorProto.newBuilder()
                .setName("t")
                .setDataType(type.getNumber())
                .addDims(elements)
                .setRawData(ByteString.copyFrom(bytes))
                .build();
    }

    static byte[] inline(TensorProto t, long count) throws IOException {
        return TensorData.inlineBytes(ByteBuffer.wrap(t.toByteArray()), t.getDataType(), count, "t");
    }

    @Test
    void typedFieldsAndRawDataDecodeToTheSameBytes() throws IOException {
        for (TensorProto t : new TensorProto[] {
            raw(DataType.FLOAT16, FP16, 3), raw(DataType.UINT8, UINT8, 4), raw(DataType.FLOAT, FP32, 2)
        }) {
            TensorProto typed = OnnxGraphBuilder.typedFields(t);
            assertThat(typed.hasRawData()).isFalse();
            byte[] expected = t.getRawData().toByteArray();
            long count = t.getDims(0);
            assertThat(inline(t, count)).containsExactly(expected);
            assertThat(inline(typed, count)).containsExactly(expected);
            assertThat(TensorData.bytes(typed, null, "x")).containsExactly(expected);
        }
    }

    @Test
    void unpackedValuesAndExternalDataTakeTheGeneralPath() throws IOException {
        // int32_data written one tag per value (legal protobuf, not what onnx writes): the general parser reads it
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeInt64(1, 3);
        out.writeInt32(2, DataType.FLOAT16.getNumber());
        for (int v : new int[] {0x3c00, 0xc000, 0x7bff}) {
            out.writeInt32(5, v);
        }
        out.flush();
        assertThat(TensorData.inlineBytes(ByteBuffer.wrap(bytes.toByteArray()), 10, 3, "t"))
                .isNull();
        assertThat(TensorData.bytes(TensorProto.parseFrom(bytes.toByteArray()), null, "t"))
                .containsExactly(FP16);

        TensorProto external = raw(DataType.UINT8, UINT8, 4).toBuilder()
                .clearRawData()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .build();
        assertThat(inline(external, 4)).isNull();
    }

    @Test
    void valueCountMustMatchTheShape() {
        TensorProto typed = OnnxGraphBuilder.typedFields(raw(DataType.FLOAT16, FP16, 3));
        assertThatThrownBy(() -> inline(typed, 4))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("needs 4");
        assertThatThrownBy(() -> inline(typed, 2))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("more int32_data values");
        assertThatThrownBy(() -> inline(raw(DataType.UINT8, UINT8, 4), 5))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("shape needs 5");
    }
}

package dev.phi4ee.core.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxAdapterFormatTest {
    @Test
    void roundTripKeepsNamesDimsTypesAndAlignedData() {
        byte[] a = new byte[3 * 2 * 4];
        ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(new float[] {1, 2, 3, 4, 5, 6});
        byte[] b = new byte[] {1, 2, 3, 4, 5, 6};
        byte[] encoded = OnnxAdapterFormat.encode(
                7,
                9,
                List.of(
                        new OnnxAdapterFormat.Parameter(
                                "model.layers.0.attn.q_proj.lora_A.MatMul.weight", new long[] {3, 2}, 1, a),
                        new OnnxAdapterFormat.Parameter("ü", new long[] {3}, 10, b)));
        assertThat(new String(encoded, 4, 4, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("TORT");

        OnnxAdapterFormat.Adapter decoded = OnnxAdapterFormat.decode(encoded);
        assertThat(decoded.formatVersion()).isEqualTo(1);
        assertThat(decoded.adapterVersion()).isEqualTo(7);
        assertThat(decoded.modelVersion()).isEqualTo(9);
        assertThat(decoded.parameters()).hasSize(2);
        OnnxAdapterFormat.Parameter first = decoded.parameters().get(0);
        assertThat(first.name()).isEqualTo("model.layers.0.attn.q_proj.lora_A.MatMul.weight");
        assertThat(first.dims()).containsExactly(3, 2);
        assertThat(first.dataType()).isEqualTo(1);
        assertThat(first.data()).containsExactly(a);
        OnnxAdapterFormat.Parameter second = decoded.parameters().get(1);
        assertThat(second.name()).isEqualTo("ü");
        assertThat(second.dataType()).isEqualTo(10);
        assertThat(second.data()).containsExactly(b);
    }

    @Test
    void rejectsOtherBytes() {
        assertThatThrownBy(() -> OnnxAdapterFormat.decode(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TORT");
    }

    @Test
    void fileWriterWritesWhatTheEncoderWritesAndTheIndexPointsAtTheData(@TempDir Path tmp) throws IOException {
        List<OnnxAdapterFormat.Parameter> parameters = new ArrayList<>();
        for (int i = 0; i < 40; i++) { // enough to flush the writer's buffer before offsets are patched
            byte[] data = new byte[3000 + i];
            java.util.Arrays.fill(data, (byte) i);
            parameters.add(new OnnxAdapterFormat.Parameter("p" + i, new long[] {data.length}, 2, data));
        }
        Path file = tmp.resolve("a.onnx_adapter");
        OnnxAdapterFormat.write(file, 3, 4, parameters);
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes).containsExactly(OnnxAdapterFormat.encode(3, 4, parameters));

        OnnxAdapterFormat.Index index = OnnxAdapterFormat.index(ByteBuffer.wrap(bytes));
        assertThat(index.adapterVersion()).isEqualTo(3);
        assertThat(index.parameters()).hasSize(40);
        OnnxAdapterFormat.Slice last = index.parameters().get(39);
        assertThat(last.name()).isEqualTo("p39");
        assertThat(last.offset() % 8).isZero(); // raw data 8-aligned, as ONNX Runtime maps it
        assertThat(last.length()).isEqualTo(3039);
        ByteBuffer data = last.data(ByteBuffer.wrap(bytes));
        assertThat(data.remaining()).isEqualTo(3039);
        assertThat(data.get(0)).isEqualTo((byte) 39);
        assertThat(data.get(3038)).isEqualTo((byte) 39);
    }
}

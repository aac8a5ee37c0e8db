package dev.phi4ee.core.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

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
}

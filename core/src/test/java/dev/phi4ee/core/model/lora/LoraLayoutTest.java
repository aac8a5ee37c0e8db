package dev.phi4ee.core.model.lora;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Rank reading and zero padding on raw tensor bytes (reference §5.1, §5.4 c), without ONNX Runtime. */
class LoraLayoutTest {
    static final String T = "model.layers.3.mlp.down_proj";

    static byte[] floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    static float[] floats(byte[] data) {
        float[] v = new float[data.length / 4];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    /** (x·A)·B in double, A [in, r], B [r, out] row-major. */
    static double[] apply(double[] x, float[] a, float[] b, int in, int r, int out) {
        double[] xa = new double[r];
        for (int k = 0; k < r; k++) {
            for (int i = 0; i < in; i++) {
                xa[k] += x[i] * a[i * r + k];
            }
        }
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            for (int k = 0; k < r; k++) {
                y[o] += xa[k] * b[k * out + o];
            }
        }
        return y;
    }

    @Test
    void floatPaddingIsExact() {
        int in = 6;
        int out = 5;
        int r = 3;
        int rankR = 7;
        Random random = new Random(1);
        float[] a = new float[in * r];
        float[] b = new float[r * out];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) random.nextGaussian();
        }
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put(T + ".lora_A.MatMul.weight", new long[] {in, r});
        shapes.put(T + ".lora_B.MatMul.weight", new long[] {r, out});
        LoraLayout layout = LoraLayout.of("test", shapes, 32);
        assertThat(layout.ranks()).containsExactly(Map.entry(T, r));

        float[] a2 = floats(layout.widen(T + ".lora_A.MatMul.weight", floats(a), 4, rankR));
        float[] b2 = floats(layout.widen(T + ".lora_B.MatMul.weight", floats(b), 4, rankR));
        assertThat(layout.widenedDims(T + ".lora_A.MatMul.weight", rankR)).containsExactly(in, rankR);
        assertThat(layout.widenedDims(T + ".lora_B.MatMul.weight", rankR)).containsExactly(rankR, out);
        for (int i = 0; i < in; i++) {
            assertThat(Arrays.copyOfRange(a2, i * rankR, i * rankR + r))
                    .containsExactly(Arrays.copyOfRange(a, i * r, i * r + r));
            assertThat(Arrays.copyOfRange(a2, i * rankR + r, (i + 1) * rankR)).containsOnly(0f);
        }
        assertThat(Arrays.copyOf(b2, r * out)).containsExactly(b);
        assertThat(Arrays.copyOfRange(b2, r * out, rankR * out)).containsOnly(0f);

        double[] x = random.doubles(in).toArray();
        assertThat(apply(x, a2, b2, in, rankR, out)).containsExactly(apply(x, a, b, in, r, out));
    }

    @Test
    void int4PaddingAddsZeroNibbleRowsAndWholeBlocks() {
        // lora_A input K = 64: 2 blocks of 32
        int n = 3; // lora_B output rows
        int r = 24; // lora_B: 1 block
        int rankR = 40; // lora_B: 2 blocks
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put(T + ".lora_A.MatMul.weight_Q4", new long[] {r, 2, 16});
        shapes.put(T + ".lora_A.MatMul.weight_scales", new long[] {r * 2});
        shapes.put(T + ".lora_B.MatMul.weight_Q4", new long[] {n, 1, 16});
        shapes.put(T + ".lora_B.MatMul.weight_scales", new long[] {n});
        LoraLayout layout = LoraLayout.of("test", shapes, 32);
        assertThat(layout.ranks()).containsExactly(Map.entry(T, r));
        assertThat(layout.isInt4()).isTrue();

        byte[] aq = new byte[r * 2 * 16];
        new Random(2).nextBytes(aq);
        byte[] aq2 = layout.widen(T + ".lora_A.MatMul.weight_Q4", aq, 1, rankR);
        assertThat(layout.widenedDims(T + ".lora_A.MatMul.weight_Q4", rankR)).containsExactly(rankR, 2, 16);
        assertThat(Arrays.copyOf(aq2, aq.length)).containsExactly(aq);
        assertThat(Arrays.copyOfRange(aq2, aq.length, aq2.length)).containsOnly((byte) 0x88);

        byte[] as = floats(new float[] {1, 2, 3});
        as = Arrays.copyOf(as, r * 2 * 4);
        byte[] as2 = layout.widen(T + ".lora_A.MatMul.weight_scales", as, 4, rankR);
        assertThat(layout.widenedDims(T + ".lora_A.MatMul.weight_scales", rankR))
                .containsExactly(rankR * 2L);
        assertThat(Arrays.copyOf(as2, as.length)).containsExactly(as);
        assertThat(Arrays.copyOfRange(as2, as.length, as2.length)).containsOnly((byte) 0);

        byte[] bq = new byte[n * 16];
        new Random(3).nextBytes(bq);
        byte[] bq2 = layout.widen(T + ".lora_B.MatMul.weight_Q4", bq, 1, rankR);
        assertThat(layout.widenedDims(T + ".lora_B.MatMul.weight_Q4", rankR)).containsExactly(n, 2, 16);
        for (int row = 0; row < n; row++) {
            assertThat(Arrays.copyOfRange(bq2, row * 32, row * 32 + 16))
                    .containsExactly(Arrays.copyOfRange(bq, row * 16, row * 16 + 16));
            assertThat(Arrays.copyOfRange(bq2, row * 32 + 16, row * 32 + 32)).containsOnly((byte) 0x88);
        }

        byte[] bs = floats(new float[] {0.5f, 0.25f, 0.125f});
        float[] bs2 = floats(layout.widen(T + ".lora_B.MatMul.weight_scales", bs, 4, rankR));
        assertThat(bs2).containsExactly(0.5f, 0f, 0.25f, 0f, 0.125f, 0f);
    }

    @Test
    void namesAreParsedIntoTargetSideAndForm() {
        assertThat(LoraTensor.parse("model.layers.0.attn.v_proj.lora_A.MatMul.weight_Q4"))
                .contains(new LoraTensor(
                        "model.layers.0.attn.v_proj.lora_A.MatMul.weight_Q4",
                        "model.layers.0.attn.v_proj",
                        'A',
                        LoraTensor.Form.Q4));
        assertThat(LoraTensor.parse("model.layers.0.attn.v_proj.lora_B.MatMul.weight_scales"))
                .hasValueSatisfying(t -> assertThat(t.form()).isEqualTo(LoraTensor.Form.SCALES));
        assertThat(LoraTensor.parse("model.layers.0.attn.v_proj.MatMul.weight")).isEmpty();
        assertThat(LoraTensor.parse("model.layers.0.attn.v_proj.lora_A.MatMul.weight_zp"))
                .isEmpty();
    }
}

package dev.phi4ee.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.model.onnx.Onnx.TensorProto.DataType;
import dev.phi4ee.core.testkit.OrtTestSession.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime's CPU GroupQueryAttention rotates only the first {@code 2 · cos_cache.shape[1]} dims of each head
 * (rotate-half within them) and leaves the rest unchanged — the partial rotary the kit's text graph relies on to
 * mirror Phi-4's 96 of 128 (reference §10.1). Checked against a direct computation.
 */
class GqaPartialRotaryTest {
    @TempDir
    Path tmp;

    static final int HEAD = 32;
    static final int ROT = 16;
    static final int S = 3;
    static final int POSITIONS = 8;

    @Test
    void rotatesOnlyTheRotaryDimsWithRotateHalf() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("gqa").opset(OnnxGraphBuilder.MS_DOMAIN, 1);
        g.input("q", DataType.FLOAT, 1, S, HEAD);
        g.input("k", DataType.FLOAT, 1, S, HEAD);
        g.input("v", DataType.FLOAT, 1, S, HEAD);
        g.input("past_k", DataType.FLOAT, 1, 1, 0, HEAD);
        g.input("past_v", DataType.FLOAT, 1, 1, 0, HEAD);
        g.output("out", DataType.FLOAT, 1, S, HEAD);
        float[] cos = new float[POSITIONS * ROT / 2];
        float[] sin = new float[POSITIONS * ROT / 2];
        for (int p = 0; p < POSITIONS; p++) {
            for (int i = 0; i < ROT / 2; i++) {
                double angle = p / Math.pow(10000, 2.0 * i / ROT);
                cos[p * ROT / 2 + i] = (float) Math.cos(angle);
                sin[p * ROT / 2 + i] = (float) Math.sin(angle);
            }
        }
        long[] cacheDims = {POSITIONS, ROT / 2};
        g.node("GroupQueryAttention")
                .domain(OnnxGraphBuilder.MS_DOMAIN)
                .in(
                        "q",
                        "k",
                        "v",
                        "past_k",
                        "past_v",
                        g.initializerInt32("seqlens_k", new long[] {1}, S - 1),
                        g.initializerInt32("total_len", new long[0], S),
                        g.initializer("cos", DataType.FLOAT, cacheDims, cos),
                        g.initializer("sin", DataType.FLOAT, cacheDims, sin))
                .attr("num_heads", 1L)
                .attr("kv_num_heads", 1L)
                .attr("do_rotary", 1L)
                .outs("out", "present_k", "present_v");
        Path file = tmp.resolve("gqa.onnx");
        g.write(file, "test", Long.MAX_VALUE);

        SplittableRandom random = new SplittableRandom(3);
        float[] q = new float[S * HEAD];
        float[] k = new float[S * HEAD];
        float[] v = new float[S * HEAD];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) random.nextGaussian();
            k[i] = (float) random.nextGaussian();
            v[i] = (float) random.nextGaussian();
        }
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("q", Tensor.f32(q, 1, S, HEAD));
        in.put("k", Tensor.f32(k, 1, S, HEAD));
        in.put("v", Tensor.f32(v, 1, S, HEAD));
        in.put("past_k", Tensor.f32(new float[0], 1, 1, 0, HEAD));
        in.put("past_v", Tensor.f32(new float[0], 1, 1, 0, HEAD));
        float[] actual;
        try (OrtTestSession s = new OrtTestSession(file)) {
            actual = s.run(in).get("out").floats();
        }

        float[][] rq = rotate(q, cos, sin);
        float[][] rk = rotate(k, cos, sin);
        for (int p = 0; p < S; p++) {
            double[] scores = new double[p + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j <= p; j++) {
                double dot = 0;
                for (int d = 0; d < HEAD; d++) {
                    dot += rq[p][d] * rk[j][d];
                }
                scores[j] = dot / Math.sqrt(HEAD);
                max = Math.max(max, scores[j]);
            }
            double sum = 0;
            for (int j = 0; j <= p; j++) {
                scores[j] = Math.exp(scores[j] - max);
                sum += scores[j];
            }
            for (int d = 0; d < HEAD; d++) {
                double expected = 0;
                for (int j = 0; j <= p; j++) {
                    expected += scores[j] / sum * v[j * HEAD + d];
                }
                assertThat((double) actual[p * HEAD + d])
                        .as("position %d dim %d", p, d)
                        .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    /** Rotate-half over dims [0, ROT) at each position; dims ≥ ROT unchanged. */
    static float[][] rotate(float[] x, float[] cos, float[] sin) {
        float[][] out = new float[S][HEAD];
        for (int p = 0; p < S; p++) {
            for (int d = 0; d < HEAD; d++) {
                out[p][d] = x[p * HEAD + d];
            }
            for (int i = 0; i < ROT / 2; i++) {
                float c = cos[p * ROT / 2 + i];
                float s = sin[p * ROT / 2 + i];
                float x1 = x[p * HEAD + i];
                float x2 = x[p * HEAD + i + ROT / 2];
                out[p][i] = x1 * c - x2 * s;
                out[p][i + ROT / 2] = x2 * c + x1 * s;
            }
        }
        return out;
    }
}

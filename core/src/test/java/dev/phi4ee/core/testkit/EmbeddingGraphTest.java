package dev.phi4ee.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.testkit.OrtTestSession.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedding graph scatters feature rows into placeholder positions in row-major order (reference §3.3, §9). */
class EmbeddingGraphTest {
    static final int H = 32;
    static final long IMG = Phi4Ids.IMAGE_TOKEN;
    static final long AUD = Phi4Ids.AUDIO_TOKEN;
    static OrtTestSession embedding;

    @BeforeAll
    static void open() {
        embedding = new OrtTestSession(
                Phi4TestModels.shared(TestModelSpec.defaults()).resolve(Phi4TestModels.EMBEDDING_FILE));
    }

    @AfterAll
    static void close() {
        embedding.close();
    }

    static float[] embed(long[] ids, int batch, float[] image, float[] audio) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("input_ids", Tensor.i64(ids, batch, ids.length / batch));
        in.put("image_features", Tensor.f32(image, image.length / H, H));
        in.put("audio_features", Tensor.f32(audio, audio.length / H, H));
        Tensor out = embedding.run(in).get("inputs_embeds");
        assertThat(out.shape()).containsExactly(batch, ids.length / batch, H);
        return out.floats();
    }

    /** Feature rows whose every element encodes (row index, kind) so the destination proves the order. */
    static float[] features(int rows, float kind) {
        float[] f = new float[rows * H];
        for (int r = 0; r < rows; r++) {
            Arrays.fill(f, r * H, (r + 1) * H, kind + r);
        }
        return f;
    }

    static float[] row(float[] data, int index) {
        return Arrays.copyOfRange(data, index * H, (index + 1) * H);
    }

    @Test
    void placeholderRowsAreReplacedInRowMajorOrder() {
        // batch 2 × 6: image rows 0..2 and audio rows 0..2 interleaved across both batch rows
        long[] ids = {10, IMG, IMG, AUD, 11, 12, AUD, 13, IMG, AUD, 14, 15};
        float[] out = embed(ids, 2, features(3, 100), features(3, 200));
        float[] plain = embed(new long[] {10, 11, 12, 13, 14, 15}, 1, new float[0], new float[0]);

        int image = 0;
        int audio = 0;
        int text = 0;
        for (int p = 0; p < ids.length; p++) {
            float[] actual = row(out, p);
            if (ids[p] == IMG) {
                assertThat(actual).as("position %d", p).containsOnly(100f + image++);
            } else if (ids[p] == AUD) {
                assertThat(actual).as("position %d", p).containsOnly(200f + audio++);
            } else {
                assertThat(actual).as("position %d", p).containsExactly(row(plain, text++));
            }
        }
        assertThat(image).isEqualTo(3);
        assertThat(audio).isEqualTo(3);
    }

    @Test
    void tableLookupWithEmptyFeaturesAndDistinctRows() {
        float[] out = embed(new long[] {0, 199_999, 200_020, 0}, 1, new float[0], new float[0]);
        assertThat(row(out, 0)).containsExactly(row(out, 3));
        assertThat(row(out, 0)).isNotEqualTo(row(out, 1));
        assertThat(row(out, 1)).isNotEqualTo(row(out, 2));
    }

    @Test
    void tooFewFeatureRowsFail() {
        assertThatThrownBy(() -> embed(new long[] {IMG, IMG, 5}, 1, features(1, 100), new float[0]))
                .isInstanceOf(RuntimeException.class);
    }
}

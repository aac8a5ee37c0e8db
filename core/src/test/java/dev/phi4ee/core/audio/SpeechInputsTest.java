package dev.phi4ee.core.audio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.TensorFloatType;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Batch assembly (§8.8): right padding with 0, bool mask, int64 token counts, fp16/fp32 on direct buffers. */
class SpeechInputsTest {
    private final AudioPreprocessor preprocessor = AudioPreprocessor.withDefaults();
    private final List<DecodedAudio> clips = List.of(
            new DecodedAudio(Signals.formants(16000, 16000), 16000, 16000, 1, "a"), // 98 frames
            new DecodedAudio(Signals.tone(1000, 0.5, 8000, 8000), 8000, 8000, 1, "b"), // 98 frames
            new DecodedAudio(Signals.chirp(100, 4000, 0.5, 16000, 4000), 16000, 44100, 2, "c")); // 23 frames

    @Test
    void float32BatchHoldsEachClipsFeaturesThenZeros() {
        SpeechInputs in = preprocessor.preprocess(clips, TensorFloatType.FLOAT32);
        assertThat(in.batchSize()).isEqualTo(3);
        assertThat(in.frameCounts()).containsExactly(98, 98, 23);
        assertThat(in.tokenCounts()).containsExactly(13, 13, 3);
        assertThat(in.totalTokens()).isEqualTo(29);
        assertThat(in.audioEmbedsShape()).containsExactly(3, 98, 80);
        assertThat(in.audioAttentionMaskShape()).containsExactly(3, 98);
        assertThat(in.audioSizesShape()).containsExactly(3);
        for (var buffer : List.of(in.audioEmbeds(), in.audioAttentionMask(), in.audioSizes())) {
            assertThat(buffer.isDirect()).isTrue();
            assertThat(buffer.order()).isEqualTo(ByteOrder.nativeOrder());
            assertThat(buffer.position()).isZero();
        }
        assertThat(in.audioEmbeds().capacity()).isEqualTo(3 * 98 * 80 * 4);
        for (int b = 0; b < 3; b++) {
            float[] expected = preprocessor.features(clips.get(b));
            assertThat(in.audioSizes().getLong(b * 8)).isEqualTo(in.tokenCounts()[b]);
            for (int t = 0; t < 98; t++) {
                boolean valid = t < in.frameCounts()[b];
                assertThat(in.audioAttentionMask().get(b * 98 + t)).isEqualTo((byte) (valid ? 1 : 0));
                for (int m = 0; m < 80; m++) {
                    assertThat(in.feature(b, t, m)).isEqualTo(valid ? expected[t * 80 + m] : 0f);
                }
            }
        }
    }

    @Test
    void float16BatchIsTheRoundedFloat32Batch() {
        SpeechInputs f32 = preprocessor.preprocess(clips, TensorFloatType.FLOAT32);
        SpeechInputs f16 = preprocessor.preprocess(clips, TensorFloatType.FLOAT16);
        assertThat(f16.audioEmbeds().capacity()).isEqualTo(3 * 98 * 80 * 2);
        assertThat(f16.floatType()).isEqualTo(TensorFloatType.FLOAT16);
        for (int b = 0; b < 3; b++) {
            for (int t = 0; t < 98; t++) {
                for (int m = 0; m < 80; m++) {
                    int index = (b * 98 + t) * 80 + m;
                    assertThat(f16.audioEmbeds().getShort(index * 2))
                            .isEqualTo(Float.floatToFloat16(f32.feature(b, t, m)));
                }
            }
        }
        assertThat(f16.audioAttentionMask()).isEqualTo(f32.audioAttentionMask());
        assertThat(f16.audioSizes()).isEqualTo(f32.audioSizes());
    }

    @Test
    void singleClipMaskIsAllTrue() {
        SpeechInputs in = preprocessor.preprocess(clips.subList(0, 1), TensorFloatType.FLOAT16);
        for (int t = 0; t < 98; t++) {
            assertThat(in.audioAttentionMask().get(t)).isEqualTo((byte) 1);
        }
    }
}

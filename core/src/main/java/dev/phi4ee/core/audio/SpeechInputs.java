package dev.phi4ee.core.audio;

import dev.phi4ee.core.api.TensorFloatType;
import java.nio.ByteBuffer;

/**
 * The speech graph's inputs for a batch of clips (reference §3.2, §8.8), on direct buffers in native byte order,
 * position 0 (ONNX Runtime reads from the position and does not own the memory: keep this object reachable while
 * the tensors are bound).
 *
 * @param audioEmbeds {@code audio_embeds [B, T_max, melBins]}, fp16 or fp32 as {@code floatType}; clip i's frames
 *     {@code ≥ frameCounts[i]} are 0
 * @param audioAttentionMask {@code audio_attention_mask [B, T_max]} bool (one byte per element, 1 = valid frame)
 * @param audioSizes {@code audio_sizes [B]} int64 = audio tokens per clip, ceil(T_i / 8)
 * @param floatType element type of {@code audioEmbeds}
 * @param maxFrames T_max
 * @param melBins feature size (80)
 * @param frameCounts T_i per clip
 * @param tokenCounts audio tokens per clip (same values as {@code audioSizes})
 */
public record SpeechInputs(
        ByteBuffer audioEmbeds,
        ByteBuffer audioAttentionMask,
        ByteBuffer audioSizes,
        TensorFloatType floatType,
        int maxFrames,
        int melBins,
        int[] frameCounts,
        int[] tokenCounts) {

    public int batchSize() {
        return frameCounts.length;
    }

    public long[] audioEmbedsShape() {
        return new long[] {batchSize(), maxFrames, melBins};
    }

    public long[] audioAttentionMaskShape() {
        return new long[] {batchSize(), maxFrames};
    }

    public long[] audioSizesShape() {
        return new long[] {batchSize()};
    }

    /** Rows the speech graph outputs for this batch (sum of the clips' tokens). */
    public int totalTokens() {
        int sum = 0;
        for (int t : tokenCounts) {
            sum += t;
        }
        return sum;
    }

    /** Feature (b, t, m) as float, whatever the storage type (for tests and tools). */
    public float feature(int b, int t, int m) {
        int index = (b * maxFrames + t) * melBins + m;
        return floatType == TensorFloatType.FLOAT32
                ? audioEmbeds.getFloat(index * 4)
                : Float.float16ToFloat(audioEmbeds.getShort(index * 2));
    }
}

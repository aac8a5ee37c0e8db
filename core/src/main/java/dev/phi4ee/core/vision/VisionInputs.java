package dev.phi4ee.core.vision;

import dev.phi4ee.core.api.TensorFloatType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The inputs of the vision graph for a batch of images (reference §3.1, §7.9), on direct buffers in native byte
 * order, ready to be wrapped as ONNX Runtime tensors without a copy:
 *
 * <ul>
 *   <li>{@code pixel_values} {@code [B, C, 3, 448, 448]} in {@link #floatType()},
 *   <li>{@code image_attention_mask} {@code [B, C, 32, 32]} in {@link #maskType()} (0/1),
 *   <li>{@code image_sizes} int64 {@code [B, 2]}, (height, width) of each padded canvas,
 * </ul>
 *
 * plus {@link #numImageTokens()} for prompt expansion. C is the batch's largest crop count.
 *
 * <p>Ownership: the buffers belong to the preprocessor's pool. Whoever holds this object owns them until
 * {@link #close()}, which hands them back for reuse; after that the accessors throw and any view obtained earlier
 * must no longer be read (it may be overwritten by the next request). Keep this object open while a tensor that
 * wraps its memory is in use.
 */
public final class VisionInputs implements AutoCloseable {

    private final DirectBufferPool pool;
    private final TensorFloatType floatType;
    private final TensorFloatType maskType;
    private final List<DynamicHdPlan> plans;
    private final int maxCrops;
    private ByteBuffer pixelValues;
    private ByteBuffer attentionMask;
    private ByteBuffer imageSizes;
    private boolean closed;

    VisionInputs(
            DirectBufferPool pool,
            TensorFloatType floatType,
            TensorFloatType maskType,
            List<DynamicHdPlan> plans,
            int maxCrops,
            ByteBuffer pixelValues,
            ByteBuffer attentionMask,
            ByteBuffer imageSizes) {
        this.pool = pool;
        this.floatType = floatType;
        this.maskType = maskType;
        this.plans = List.copyOf(plans);
        this.maxCrops = maxCrops;
        this.pixelValues = pixelValues;
        this.attentionMask = attentionMask;
        this.imageSizes = imageSizes;
    }

    /** Element type of {@code pixel_values}. */
    public TensorFloatType floatType() {
        return floatType;
    }

    /**
     * Element type of {@code image_attention_mask}: the type the vision graph declares for that input, which need
     * not be {@code pixel_values}' (the builder casts each input separately, reference §3.1).
     */
    public TensorFloatType maskType() {
        return maskType;
    }

    /** B, the number of images (document pages count one each). */
    public int numImages() {
        return plans.size();
    }

    /** C, crops per image in the tensors: the batch maximum of 1 + gw·gh. */
    public int maxCrops() {
        return maxCrops;
    }

    /** The plan of each image, in batch order. */
    public List<DynamicHdPlan> plans() {
        return plans;
    }

    /** Image tokens of each image, in batch order (§7.10). */
    public int[] numImageTokens() {
        return plans.stream().mapToInt(DynamicHdPlan::numImageTokens).toArray();
    }

    /** Σ numImageTokens: the rows of {@code image_features}. */
    public int totalImageTokens() {
        return plans.stream().mapToInt(DynamicHdPlan::numImageTokens).sum();
    }

    public long[] pixelValuesShape() {
        int s = VisionProcessorConfig.CROP_SIZE;
        return new long[] {numImages(), maxCrops, 3, s, s};
    }

    public long[] imageAttentionMaskShape() {
        return new long[] {numImages(), maxCrops, DynamicHdPlan.MASK_SIZE, DynamicHdPlan.MASK_SIZE};
    }

    public long[] imageSizesShape() {
        return new long[] {numImages(), 2};
    }

    /** {@code pixel_values}: a fresh view (position 0, limit = tensor bytes, native order) of the pooled buffer. */
    public ByteBuffer pixelValues() {
        return view(pixelValues);
    }

    /** {@code image_attention_mask}: a fresh view of the pooled buffer. */
    public ByteBuffer imageAttentionMask() {
        return view(attentionMask);
    }

    /** {@code image_sizes} (int64): a fresh view of the pooled buffer. */
    public ByteBuffer imageSizes() {
        return view(imageSizes);
    }

    private synchronized ByteBuffer view(ByteBuffer b) {
        if (closed) {
            throw new IllegalStateException("VisionInputs already closed; its buffers went back to the pool");
        }
        return b.duplicate().position(0).order(ByteOrder.nativeOrder());
    }

    /** Returns the buffers to the pool. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        pool.release(pixelValues);
        pool.release(attentionMask);
        pool.release(imageSizes);
        pixelValues = null;
        attentionMask = null;
        imageSizes = null;
    }
}

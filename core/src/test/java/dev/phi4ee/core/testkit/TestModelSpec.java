package dev.phi4ee.core.testkit;

/**
 * Shape and contents of a Phi-4-shaped test model directory written by {@link Phi4TestModels}.
 *
 * <p>The vocabulary (200064), the special-token ids and all tensor names are the release's (reference §2–3) and are
 * not configurable. The sizes are tiny. ONNX Runtime's {@code GroupQueryAttention} with rotary embedding requires
 * {@code headSize % 16 == 0} and a rotary dimension that is a multiple of 16, hence {@code headSize} 32 with
 * {@code rotaryDim} 16 — partial rotary like the real model's 96 of 128 (reference §10.1).
 *
 * @param floatType FP32: every float tensor is float32; FP16: float16 where the release has float16 (reference §3)
 * @param hidden hidden size of the language model (and of image/audio feature rows)
 * @param layers decoder layers
 * @param heads query heads
 * @param kvHeads key/value heads (GQA)
 * @param headSize head dimension (multiple of 16)
 * @param rotaryDim rotated part of each head (multiple of 16, at most headSize)
 * @param intermediate MLP intermediate size
 * @param contextLength {@code context_length}, also the rotary cache length
 * @param maxLength {@code search.max_length} (≤ contextLength)
 * @param originalMaxPositionEmbeddings LongRoPE switch: total length above it selects the long factors (§4.4)
 * @param pastPresentShareBuffer {@code search.past_present_share_buffer}
 * @param seed seed of every weight
 * @param loraRank rank of the LoRA inputs of the text graph and of the vision adapter (the vision LoRA shapes the
 *     release's graph, §5.1)
 * @param speechLoraRank rank of the speech adapter; default {@code loraRank · 5/4} like the release's 320 vs 256, so
 *     it does not fit the graph unless the runtime widens the graph's LoRA rank (§5.3, §5.4c)
 * @param writeAdapters write {@code phi-4-mm-vision.onnx_adapter} / {@code phi-4-mm-speech.onnx_adapter} (for the
 *     included encoders) and name them in genai_config.json
 * @param includeVision write the vision graph, its config section and {@code vision_processor.json}
 * @param includeSpeech write the speech graph, its config section and {@code speech_processor.json}
 * @param externalDataThresholdBytes initializers at least this large go to {@code <graph>.onnx.data} (as in the
 *     release); {@link Long#MAX_VALUE} keeps each graph in one file
 * @param weightFormat form of the text graph's base projections and lm_head (LoRA paths are float in every form)
 * @param accuracyLevel {@code accuracy_level} of the INT4 MatMulNBits nodes: 0 (unset, the default; the release's
 *     CUDA build) … 4 (int8 activations per block, what the onnxruntime-genai builder uses for CPU)
 * @param loraZeros storage of the text graph's LoRA zero defaults; default {@code TYPED_FIELDS}, the release's
 *     (inline {@code int32_data} / {@code float_data}, reference §5.1); {@code RAW_DATA} and {@code EXTERNAL_DATA} are
 *     the forms other exporters write
 * @param imageMaskType element type of the vision graph's {@code image_attention_mask}; the builder's default is
 *     {@code floatType} (the release has both in fp16, §3.1), another type tests that the runtime reads it from the
 *     graph
 * @param writeHfConfig write {@code config.json} into the model folder; the release's
 *     {@code gpu/gpu-int4-rtn-block-32} folder has none (§2.1)
 */
public record TestModelSpec(
        FloatType floatType,
        int hidden,
        int layers,
        int heads,
        int kvHeads,
        int headSize,
        int rotaryDim,
        int intermediate,
        int contextLength,
        int maxLength,
        int originalMaxPositionEmbeddings,
        boolean pastPresentShareBuffer,
        long seed,
        int loraRank,
        int speechLoraRank,
        boolean writeAdapters,
        boolean includeVision,
        boolean includeSpeech,
        long externalDataThresholdBytes,
        WeightFormat weightFormat,
        int accuracyLevel,
        OnnxGraphBuilder.TensorStorage loraZeros,
        FloatType imageMaskType,
        boolean writeHfConfig) {

    /** Element type of the float tensors. */
    public enum FloatType {
        FP32,
        FP16
    }

    /** Form of the text graph's base projection weights (reference §2.1, §5.1). */
    public enum WeightFormat {
        /** MatMul with float weights of the graph's float type. */
        FLOAT,
        /**
         * MatMulNBits (com.microsoft): 4 bits, block 32, symmetric RTN, scales of the graph's float type, no zero
         * points — the release's {@code gpu-int4-rtn-block-32} form.
         */
        INT4,
        /** MatMul with float32 weights equal to what the INT4 codes dequantize to: the exact reference for INT4. */
        INT4_DEQUANTIZED
    }

    public TestModelSpec {
        require(hidden > 0 && layers > 0 && heads > 0 && kvHeads > 0, "sizes must be positive");
        require(heads % kvHeads == 0, "heads must be a multiple of kvHeads");
        require(headSize % 16 == 0, "GroupQueryAttention with rotary needs headSize % 16 == 0");
        require(rotaryDim % 16 == 0 && rotaryDim > 0 && rotaryDim <= headSize, "rotaryDim: multiple of 16, ≤ headSize");
        require(intermediate > 0 && loraRank > 0 && speechLoraRank > 0, "intermediate and LoRA ranks must be > 0");
        require(maxLength > 0 && maxLength <= contextLength, "maxLength must be in 1..contextLength");
        require(
                originalMaxPositionEmbeddings > 0 && originalMaxPositionEmbeddings < contextLength,
                "originalMaxPositionEmbeddings must be in 1..contextLength-1");
        require(externalDataThresholdBytes > 0, "externalDataThresholdBytes must be positive");
        require(weightFormat != null, "weightFormat must not be null");
        require(accuracyLevel >= 0 && accuracyLevel <= 4, "accuracyLevel must be in 0..4");
        require(loraZeros != null, "loraZeros must not be null");
        require(imageMaskType != null, "imageMaskType must not be null");
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .floatType(floatType)
                .hidden(hidden)
                .layers(layers)
                .heads(heads)
                .kvHeads(kvHeads)
                .headSize(headSize)
                .rotaryDim(rotaryDim)
                .intermediate(intermediate)
                .contextLength(contextLength)
                .maxLength(maxLength)
                .originalMaxPositionEmbeddings(originalMaxPositionEmbeddings)
                .pastPresentShareBuffer(pastPresentShareBuffer)
                .seed(seed)
                .loraRank(loraRank)
                .speechLoraRank(speechLoraRank)
                .writeAdapters(writeAdapters)
                .includeVision(includeVision)
                .includeSpeech(includeSpeech)
                .externalDataThresholdBytes(externalDataThresholdBytes)
                .weights(weightFormat)
                .accuracyLevel(accuracyLevel)
                .loraZeros(loraZeros)
                .imageMaskType(imageMaskType)
                .writeHfConfig(writeHfConfig);
    }

    public static TestModelSpec defaults() {
        return builder().build();
    }

    /**
     * The release's form with a tiny hidden/MLP/vocabulary path: what the runtime sizes from the config and graphs
     * is the real model's, the weights are few. As {@code gpu/gpu-int4-rtn-block-32/} (reference §2.1, §2.2, §3.4,
     * §5.1, §10.1): 32 layers, 24 query heads, 8 KV heads × head size 128 (so the KV cache takes the release's 128
     * KiB per token), partial rotary 96 of 128, fp16 I/O, int4 block-32 MatMulNBits projections and lm_head,
     * {@code context_length} = {@code max_length} = 131072 with the shared buffer, LongRoPE switch at 4096, vision
     * and speech graphs with both adapters, the published file names and no {@code config.json}. Small: hidden 32
     * (release 3072) and intermediate 64 (8192), while the attention widths stay real (q_proj 32 → 24·128, o_proj
     * 24·128 → 32); LoRA ranks 16 and 20 for speech (release 256 and 320, same 5:4 ratio, so the speech adapter
     * still widens the graph): a rank above min(in, out) = 32 of a projection is refused by the runtime, and rank
     * 256 over 32 layers would make the folder about 500 MB.
     */
    public static TestModelSpec releaseGeometry() {
        return builder()
                .floatType(FloatType.FP16)
                .hidden(32)
                .layers(32)
                .heads(24)
                .kvHeads(8)
                .headSize(128)
                .rotaryDim(96)
                .intermediate(64)
                .contextLength(131_072)
                .maxLength(131_072)
                .originalMaxPositionEmbeddings(4096)
                .pastPresentShareBuffer(true)
                .loraRank(16)
                .speechLoraRank(20)
                .weights(WeightFormat.INT4)
                .loraZeros(OnnxGraphBuilder.TensorStorage.TYPED_FIELDS) // inline int32_data, as the builder stores them
                .writeHfConfig(false)
                .build();
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Builder with the defaults of the demo model. */
    public static final class Builder {
        private FloatType floatType = FloatType.FP32;
        private int hidden = 32;
        private int layers = 2;
        private int heads = 4;
        private int kvHeads = 2;
        private int headSize = 32;
        private int rotaryDim = 16;
        private int intermediate = 64;
        private int contextLength = 4096;
        private int maxLength = 4096;
        private int originalMaxPositionEmbeddings = 64;
        private boolean pastPresentShareBuffer = true;
        private long seed = 42;
        private int loraRank = 8;
        private int speechLoraRank;
        private boolean writeAdapters = true;
        private boolean includeVision = true;
        private boolean includeSpeech = true;
        private long externalDataThresholdBytes = 1 << 20;
        private WeightFormat weightFormat = WeightFormat.FLOAT;
        private int accuracyLevel;
        private OnnxGraphBuilder.TensorStorage loraZeros = OnnxGraphBuilder.TensorStorage.TYPED_FIELDS;
        private FloatType imageMaskType;
        private boolean writeHfConfig = true;

        public Builder floatType(FloatType v) {
            floatType = v;
            return this;
        }

        public Builder hidden(int v) {
            hidden = v;
            return this;
        }

        public Builder layers(int v) {
            layers = v;
            return this;
        }

        public Builder heads(int v) {
            heads = v;
            return this;
        }

        public Builder kvHeads(int v) {
            kvHeads = v;
            return this;
        }

        public Builder headSize(int v) {
            headSize = v;
            return this;
        }

        public Builder rotaryDim(int v) {
            rotaryDim = v;
            return this;
        }

        public Builder intermediate(int v) {
            intermediate = v;
            return this;
        }

        public Builder contextLength(int v) {
            contextLength = v;
            return this;
        }

        public Builder maxLength(int v) {
            maxLength = v;
            return this;
        }

        public Builder originalMaxPositionEmbeddings(int v) {
            originalMaxPositionEmbeddings = v;
            return this;
        }

        public Builder pastPresentShareBuffer(boolean v) {
            pastPresentShareBuffer = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder loraRank(int v) {
            loraRank = v;
            return this;
        }

        /** Speech adapter rank; 0 (default) means {@code loraRank + loraRank / 4}. */
        public Builder speechLoraRank(int v) {
            speechLoraRank = v;
            return this;
        }

        public Builder writeAdapters(boolean v) {
            writeAdapters = v;
            return this;
        }

        public Builder includeVision(boolean v) {
            includeVision = v;
            return this;
        }

        public Builder includeSpeech(boolean v) {
            includeSpeech = v;
            return this;
        }

        public Builder externalDataThresholdBytes(long v) {
            externalDataThresholdBytes = v;
            return this;
        }

        public Builder weights(WeightFormat v) {
            weightFormat = v;
            return this;
        }

        /** MatMulNBits {@code accuracy_level} of the INT4 form (0..4, default 0). */
        public Builder accuracyLevel(int v) {
            accuracyLevel = v;
            return this;
        }

        /** Storage of the text graph's LoRA zero defaults (default: the release builder's typed fields). */
        public Builder loraZeros(OnnxGraphBuilder.TensorStorage v) {
            loraZeros = v;
            return this;
        }

        /** Element type of {@code image_attention_mask}; null (default) means the model's float type. */
        public Builder imageMaskType(FloatType v) {
            imageMaskType = v;
            return this;
        }

        /** Whether to write {@code config.json} (default true; false like the release folder). */
        public Builder writeHfConfig(boolean v) {
            writeHfConfig = v;
            return this;
        }

        public TestModelSpec build() {
            return new TestModelSpec(
                    floatType,
                    hidden,
                    layers,
                    heads,
                    kvHeads,
                    headSize,
                    rotaryDim,
                    intermediate,
                    contextLength,
                    maxLength,
                    originalMaxPositionEmbeddings,
                    pastPresentShareBuffer,
                    seed,
                    loraRank,
                    speechLoraRank > 0 ? speechLoraRank : loraRank + loraRank / 4,
                    writeAdapters,
                    includeVision,
                    includeSpeech,
                    externalDataThresholdBytes,
                    weightFormat,
                    accuracyLevel,
                    loraZeros,
                    imageMaskType != null ? imageMaskType : floatType,
                    writeHfConfig);
        }
    }
}

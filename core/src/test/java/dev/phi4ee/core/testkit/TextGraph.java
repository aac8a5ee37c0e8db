package dev.phi4ee.core.testkit;

import dev.phi4ee.core.model.onnx.Onnx.TensorProto.DataType;
import java.util.List;

/**
 * {@code phi-4-mm-text.onnx}: a tiny Phi-4-mini-shaped decoder (reference §3.4, §4.3, §4.4, §5.1).
 *
 * <p>Like the onnxruntime-genai builder's graph: no {@code position_ids}; {@code seqlens_k} (= Σmask − 1, int32) and
 * {@code total_sequence_length} (= mask width, int32) are computed from {@code attention_mask}, so ONNX Runtime's
 * {@code com.microsoft.GroupQueryAttention} supports both a growing cache and one {@code max_length} buffer bound as
 * past input and present output. Two rotary caches (short factors 1.0, long factors > 1) are selected by
 * {@code If(mask width > original_max_position_embeddings)} (§4.4). Each projection is base MatMul + LoRA
 * ({@code lora_A} MatMul → {@code lora_B} MatMul) → Add with zero-valued overridable LoRA inputs (§5.1). The base
 * projections and lm_head are float MatMuls or, with {@link TestModelSpec.WeightFormat#INT4}, int4 MatMulNBits nodes.
 */
final class TextGraph {
    static final String FILENAME = "phi-4-mm-text.onnx";
    static final double ROPE_THETA = 10000.0;

    /** Targets carrying LoRA inputs, as {@code model.layers.{i}.<target>.lora_{A,B}.MatMul.weight}. */
    static final List<String> LORA_TARGETS = List.of(
            "attn.q_proj",
            "attn.k_proj",
            "attn.v_proj",
            "attn.o_proj",
            "mlp.gate_proj",
            "mlp.up_proj",
            "mlp.down_proj");

    private final TestModelSpec spec;
    private final SeededWeights weights;
    private final OnnxGraphBuilder g = new OnnxGraphBuilder("phi4mm_text");
    private final GraphOps ops;

    private TextGraph(TestModelSpec spec, SeededWeights weights) {
        this.spec = spec;
        this.weights = weights;
        this.ops = new GraphOps(g, spec.floatType());
    }

    static OnnxGraphBuilder build(TestModelSpec spec, SeededWeights weights) {
        return new TextGraph(spec, weights).build();
    }

    static String loraName(int layer, String target, char aOrB) {
        return "model.layers." + layer + "." + target + ".lora_" + aOrB + ".MatMul.weight";
    }

    /** Input width of a LoRA target's projection. */
    static int inFeatures(TestModelSpec spec, String target) {
        return switch (target) {
            case "attn.o_proj" -> spec.heads() * spec.headSize();
            case "mlp.down_proj" -> spec.intermediate();
            default -> spec.hidden();
        };
    }

    /** Output width of a LoRA target's projection. */
    static int outFeatures(TestModelSpec spec, String target) {
        return switch (target) {
            case "attn.q_proj" -> spec.heads() * spec.headSize();
            case "attn.k_proj", "attn.v_proj" -> spec.kvHeads() * spec.headSize();
            case "mlp.gate_proj", "mlp.up_proj" -> spec.intermediate();
            default -> spec.hidden();
        };
    }

    /** Long LongRoPE factors for {@code rotaryDim / 2} frequencies: 1.0 rising geometrically to 8 (cf. §10.1). */
    static double[] longFactors(int frequencies) {
        double[] f = new double[frequencies];
        for (int i = 0; i < frequencies; i++) {
            f[i] = Math.pow(8.0, (double) i / Math.max(1, frequencies - 1));
        }
        return f;
    }

    static double[] shortFactors(int frequencies) {
        double[] f = new double[frequencies];
        java.util.Arrays.fill(f, 1.0);
        return f;
    }

    /** sqrt(1 + ln(context / original) / ln(original)), applied to both caches as in §10.1. */
    static double attentionFactor(TestModelSpec spec) {
        double scale = (double) spec.contextLength() / spec.originalMaxPositionEmbeddings();
        return Math.sqrt(1 + Math.log(scale) / Math.log(spec.originalMaxPositionEmbeddings()));
    }

    private OnnxGraphBuilder build() {
        g.opset(OnnxGraphBuilder.MS_DOMAIN, 1);
        DataType io = ops.io;
        int kvDim = spec.kvHeads() * spec.headSize();
        int qDim = spec.heads() * spec.headSize();
        g.input("inputs_embeds", io, "batch_size", "sequence_length", spec.hidden());
        g.input("attention_mask", DataType.INT64, "batch_size", "total_sequence_length");
        for (int i = 0; i < spec.layers(); i++) {
            g.input(
                    "past_key_values." + i + ".key",
                    io,
                    "batch_size",
                    spec.kvHeads(),
                    "past_sequence_length",
                    spec.headSize());
            g.input(
                    "past_key_values." + i + ".value",
                    io,
                    "batch_size",
                    spec.kvHeads(),
                    "past_sequence_length",
                    spec.headSize());
        }
        g.output("logits", io, "batch_size", "sequence_length", Phi4Ids.VOCAB_SIZE);
        for (int i = 0; i < spec.layers(); i++) {
            g.output(
                    "present." + i + ".key",
                    io,
                    "batch_size",
                    spec.kvHeads(),
                    "total_sequence_length",
                    spec.headSize());
            g.output(
                    "present." + i + ".value",
                    io,
                    "batch_size",
                    spec.kvHeads(),
                    "total_sequence_length",
                    spec.headSize());
        }

        // Attention metadata from the mask, as the onnxruntime-genai builder computes it.
        String mask = "attention_mask";
        String seqlensK = ops.cast(g.op("Sub", ops.reduceSum(mask, false, 1), g.scalarInt64(1)), DataType.INT32);
        String maskWidth = ops.dim(mask, 1);
        String totalLength = ops.cast(maskWidth, DataType.INT32);
        String[] cosSin = rotaryCaches(maskWidth);

        String x = ops.toCompute("inputs_embeds");
        for (int layer = 0; layer < spec.layers(); layer++) {
            String prefix = "model.layers." + layer;
            String h = ops.rmsNorm(x, norm(prefix + ".input_layernorm.weight"));
            String q = projection(h, layer, "attn.q_proj", spec.hidden(), qDim, 1.5);
            String k = projection(h, layer, "attn.k_proj", spec.hidden(), kvDim, 1.5);
            String v = projection(h, layer, "attn.v_proj", spec.hidden(), kvDim, 1.0);
            List<String> attention = g.node("GroupQueryAttention")
                    .domain(OnnxGraphBuilder.MS_DOMAIN)
                    .in(
                            ops.toIo(q, null),
                            ops.toIo(k, null),
                            ops.toIo(v, null),
                            "past_key_values." + layer + ".key",
                            "past_key_values." + layer + ".value",
                            seqlensK,
                            totalLength,
                            cosSin[0],
                            cosSin[1])
                    .attr("num_heads", (long) spec.heads())
                    .attr("kv_num_heads", (long) spec.kvHeads())
                    .attr("do_rotary", 1L)
                    .attr("rotary_interleaved", 0L)
                    .outs(g.fresh("attn_out"), "present." + layer + ".key", "present." + layer + ".value");
            String o = projection(ops.toCompute(attention.get(0)), layer, "attn.o_proj", qDim, spec.hidden(), 1.0);
            x = g.op("Add", x, o);

            String h2 = ops.rmsNorm(x, norm(prefix + ".post_attention_layernorm.weight"));
            String gate = projection(h2, layer, "mlp.gate_proj", spec.hidden(), spec.intermediate(), 1.0);
            String up = projection(h2, layer, "mlp.up_proj", spec.hidden(), spec.intermediate(), 1.0);
            String act = g.op("Mul", g.op("Mul", gate, g.op("Sigmoid", gate)), up);
            x = g.op("Add", x, projection(act, layer, "mlp.down_proj", spec.intermediate(), spec.hidden(), 1.0));
        }
        String normed = ops.rmsNorm(x, norm("model.norm.weight"));
        // Logit spread std ≈ 3: argmax varies with the context, eos (2 of 200064 ids) stays unlikely.
        float[] lmHead =
                weights.normal("lm_head", spec.hidden() * Phi4Ids.VOCAB_SIZE, 0, 3.0 / Math.sqrt(spec.hidden()));
        ops.toIo(linear(normed, "lm_head.MatMul.weight", lmHead, spec.hidden(), Phi4Ids.VOCAB_SIZE), "logits");
        return g;
    }

    private String norm(String name) {
        return ops.weight(name, new long[] {spec.hidden()}, weights.normal(name, spec.hidden(), 1.0, 0.1));
    }

    /** Base MatMul + LoRA path with zero-default overridable A [in, r] and B [r, out] (reference §5.1). */
    private String projection(String x, int layer, String target, int in, int out, double gain) {
        String base = "model.layers." + layer + "." + target + ".MatMul.weight";
        float[] w = weights.normal(base, in * out, 0, gain / Math.sqrt(in));
        int r = spec.loraRank();
        String a = loraInput(loraName(layer, target, 'A'), in, r);
        String b = loraInput(loraName(layer, target, 'B'), r, out);
        String lora = g.op("MatMul", g.op("MatMul", x, a), b);
        return g.op("Add", linear(x, base, w, in, out), lora);
    }

    /**
     * x · W for a base weight {@code w [in, out]} in the spec's weight format. INT4 is the release's form (§2.1,
     * §5.1): {@code <name>_Q4} + {@code <name>_scales}, MatMulNBits taking activations of the graph's float type
     * (float16 in the fp16 variant, as in the release) — the only float16 compute in the kit.
     */
    private String linear(String x, String name, float[] w, int in, int out) {
        TestModelSpec.WeightFormat format = spec.weightFormat();
        if (format == TestModelSpec.WeightFormat.FLOAT) {
            return g.op("MatMul", x, ops.weight(name, new long[] {in, out}, w));
        }
        Int4Weights q = Int4Weights.quantize(w, in, out, ops.io == DataType.FLOAT16);
        if (format == TestModelSpec.WeightFormat.INT4_DEQUANTIZED) {
            // float32 even in the fp16 variant: (code − 8) · scale need not be float16-representable
            return g.op("MatMul", x, g.initializer(name, DataType.FLOAT, new long[] {in, out}, q.dequantized()));
        }
        int blocks = Int4Weights.blocks(in);
        String packed = g.initializerUint8(name + "_Q4", new long[] {out, blocks, Int4Weights.BLOCK / 2}, q.packed());
        String scales = g.initializer(name + "_scales", ops.io, new long[] {(long) out * blocks}, q.scales());
        String y = g.node("MatMulNBits")
                .domain(OnnxGraphBuilder.MS_DOMAIN)
                .in(ops.toIo(x, null), packed, scales)
                .attr("K", (long) in)
                .attr("N", (long) out)
                .attr("bits", 4L)
                .attr("block_size", (long) Int4Weights.BLOCK)
                .attr("accuracy_level", (long) spec.accuracyLevel())
                .out();
        return ops.toCompute(y);
    }

    /**
     * A zero-default overridable LoRA weight as a float32 value. In the fp16 variant a Cast must not consume the
     * graph input directly: ONNX Runtime 1.24 crashes (SIGSEGV in Initializer) creating a session at ORT_ENABLE_ALL
     * on Cast(overridable fp16 initializer); a Reshape (fp16-capable on CPU, not folded) in between avoids it. The
     * Reshape target [0, -1] keeps the graph independent of the rank, so widening the rank only touches the inputs.
     */
    private String loraInput(String name, int rows, int columns) {
        String value = g.overridableInitializer(
                name, ops.io, new long[] {rows, columns}, new float[rows * columns], spec.loraZeros());
        if (ops.io == DataType.FLOAT) {
            return value;
        }
        return ops.toCompute(g.op("Reshape", value, g.constInt64(0, -1)));
    }

    /** {cos, sin} caches [contextLength, rotaryDim/2] chosen by If(mask width > original max positions). */
    private String[] rotaryCaches(String maskWidth) {
        int half = spec.rotaryDim() / 2;
        long[] dims = {spec.contextLength(), half};
        String[] shortCaches = rotaryCache("short", shortFactors(half));
        String[] longCaches = rotaryCache("long", longFactors(half));
        String useLong = g.op("Greater", maskWidth, g.scalarInt64(spec.originalMaxPositionEmbeddings()));
        OnnxGraphBuilder thenBranch = branch("rotary_long", longCaches, dims);
        OnnxGraphBuilder elseBranch = branch("rotary_short", shortCaches, dims);
        List<String> selected = g.node("If")
                .in(useLong)
                .attr("then_branch", thenBranch.graph())
                .attr("else_branch", elseBranch.graph())
                .outs(2);
        return selected.toArray(String[]::new);
    }

    private OnnxGraphBuilder branch(String name, String[] caches, long[] dims) {
        OnnxGraphBuilder b = g.subgraph(name);
        String cos = b.node("Identity").in(caches[0]).out(name + "_cos");
        String sin = b.node("Identity").in(caches[1]).out(name + "_sin");
        b.output(cos, ops.io, dims[0], dims[1]);
        b.output(sin, ops.io, dims[0], dims[1]);
        return b;
    }

    /** LongRoPE caches: inv_freq_i = 1/(factor_i · θ^(2i/rotaryDim)), cos/sin × attention factor (§10.1). */
    private String[] rotaryCache(String kind, double[] factors) {
        int half = factors.length;
        int positions = spec.contextLength();
        double attention = attentionFactor(spec);
        float[] cos = new float[positions * half];
        float[] sin = new float[positions * half];
        for (int i = 0; i < half; i++) {
            double invFreq = 1.0 / (factors[i] * Math.pow(ROPE_THETA, (2.0 * i) / spec.rotaryDim()));
            for (int p = 0; p < positions; p++) {
                double angle = p * invFreq;
                cos[p * half + i] = (float) (Math.cos(angle) * attention);
                sin[p * half + i] = (float) (Math.sin(angle) * attention);
            }
        }
        long[] dims = {positions, half};
        return new String[] {
            g.initializer("rotary." + kind + ".cos_cache", ops.io, dims, cos),
            g.initializer("rotary." + kind + ".sin_cache", ops.io, dims, sin)
        };
    }
}

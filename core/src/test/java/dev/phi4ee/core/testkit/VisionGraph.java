package dev.phi4ee.core.testkit;

import dev.phi4ee.core.model.onnx.Onnx.TensorProto.DataType;

/**
 * {@code phi-4-mm-vision.onnx} (reference §3.1). The row count per image is the token count of §7.10:
 * 273 + sum(D) + sum(first column of D), D = the HD mask of crops 1…gw·gh (gh = h/448, gw = w/448 from
 * {@code image_sizes}) sampled at even rows and columns; images are concatenated. Since 32 is even, sampling the tiled
 * (32gh)×(32gw) mask at even rows/columns equals sampling each crop's 32×32 mask, and the first column of D is column 0
 * of the crops with (k − 1) mod gw = 0. Row content: a seeded projection of the global view's 4×4 average-pooled
 * pixels (so a different image gives different rows) plus a sinusoidal term of the row's position in its image.
 */
final class VisionGraph {
    static final String FILENAME = "phi-4-mm-vision.onnx";
    static final int CROP = 448;
    static final int MASK = 32;
    /** Pooled statistics of the global view: 3 channels × 4 × 4 blocks of 112×112 pixels. */
    static final int STATS = 48;

    private VisionGraph() {}

    static OnnxGraphBuilder build(TestModelSpec spec, SeededWeights weights) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("phi4mm_vision");
        GraphOps ops = new GraphOps(g, spec.floatType());
        int hidden = spec.hidden();
        g.input("pixel_values", ops.io, "num_images", "max_num_crops", 3, CROP, CROP);
        DataType maskType = spec.imageMaskType() == TestModelSpec.FloatType.FP16 ? DataType.FLOAT16 : DataType.FLOAT;
        g.input("image_attention_mask", maskType, "num_images", "max_num_crops", MASK, MASK);
        g.input("image_sizes", DataType.INT64, "num_images", 2);
        g.output("image_features", ops.io, "num_image_tokens", hidden);

        // Token count per image (§7.10).
        String mask =
                maskType == DataType.FLOAT ? "image_attention_mask" : ops.cast("image_attention_mask", DataType.FLOAT);
        String sizes = "image_sizes";
        String crop = g.scalarInt64(CROP);
        String gh = g.op(
                "Div",
                g.node("Gather").in(sizes, g.scalarInt64(0)).attr("axis", 1L).out(),
                crop);
        String gw = g.op(
                "Div",
                g.node("Gather").in(sizes, g.scalarInt64(1)).attr("axis", 1L).out(),
                crop);
        String hdCrops = ops.unsqueeze(g.op("Mul", gh, gw), 1); // [N, 1]
        String cropIndex =
                ops.unsqueeze(g.op("Range", g.scalarInt64(0), ops.dim(mask, 1), g.scalarInt64(1)), 0); // [1, C]
        String isHd = g.op(
                "And",
                g.op("GreaterOrEqual", cropIndex, g.scalarInt64(1)),
                g.op("LessOrEqual", cropIndex, hdCrops)); // [N, C]
        String firstColumn = g.op(
                "Equal", g.op("Mod", g.op("Sub", cropIndex, g.scalarInt64(1)), ops.unsqueeze(gw, 1)), g.scalarInt64(0));
        String sampled = g.op(
                "Slice", mask, g.constInt64(0, 0), g.constInt64(MASK, MASK), g.constInt64(2, 3), g.constInt64(2, 2));
        String perCrop = ops.reduceSum(sampled, false, 2, 3); // [N, C]
        String column0 = g.op("Slice", sampled, g.constInt64(0), g.constInt64(1), g.constInt64(3));
        String perCropColumn0 = ops.reduceSum(column0, false, 2, 3); // [N, C]
        String dSum = ops.reduceSum(g.op("Mul", perCrop, ops.cast(isHd, DataType.FLOAT)), false, 1);
        String dColumnSum = ops.reduceSum(
                g.op("Mul", perCropColumn0, ops.cast(g.op("And", isHd, firstColumn), DataType.FLOAT)), false, 1);
        String tokens =
                ops.cast(g.op("Add", g.op("Add", dSum, dColumnSum), g.scalarFloat(273f)), DataType.INT64); // [N]
        String[] rows = ops.raggedRows(tokens);

        // Content: pooled global view → projection, plus a position term.
        String global = g.node("Gather")
                .in(ops.toCompute("pixel_values"), g.scalarInt64(0))
                .attr("axis", 1L)
                .out(); // [N, 3, 448, 448]
        String pooled = g.node("AveragePool")
                .in(global)
                .attr("kernel_shape", new long[] {112, 112})
                .attr("strides", new long[] {112, 112})
                .out();
        String stats = g.op("Reshape", pooled, g.constInt64(-1, STATS));
        String projection = g.initializer(
                "vision.projection.weight",
                DataType.FLOAT,
                new long[] {STATS, hidden},
                weights.normal("vision.projection", STATS * hidden, 0, 3.0 / Math.sqrt(STATS)));
        String perImage = g.op("MatMul", stats, projection); // [N, hidden]
        String perRow = g.node("Gather").in(perImage, rows[0]).attr("axis", 0L).out();
        String features = g.op("Tanh", g.op("Add", perRow, ops.positionTerm(rows[1], weights, "vision", hidden)));
        ops.toIo(features, "image_features");
        return g;
    }

    /** Expected row count for one image from its HD-crop masks, straight from the definition of §7.10. */
    static int tokenCount(float[][][] hdCropMasks, int gh, int gw) {
        int d = 0;
        int firstColumn = 0;
        for (int k = 0; k < gh * gw; k++) {
            for (int r = 0; r < MASK; r += 2) {
                for (int c = 0; c < MASK; c += 2) {
                    int v = hdCropMasks[k][r][c] > 0.5f ? 1 : 0;
                    d += v;
                    if (c == 0 && k % gw == 0) {
                        firstColumn += v;
                    }
                }
            }
        }
        return 256 + 16 + 1 + d + firstColumn;
    }
}

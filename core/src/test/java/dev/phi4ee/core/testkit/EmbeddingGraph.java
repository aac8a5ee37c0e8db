package dev.phi4ee.core.testkit;

import dev.phi4ee.core.model.onnx.Onnx.TensorProto.DataType;

/**
 * {@code phi-4-mm-embedding.onnx} (reference §3.3): token-table lookup, then positions holding 200010 are replaced in
 * row-major (batch, position) order by consecutive {@code image_features} rows and 200011 by {@code audio_features}
 * rows. The k-th placeholder (inclusive CumSum of the placeholder mask) takes row k of Concat(zero row, features), so
 * 0-row feature tensors work; too few feature rows make the Gather fail.
 */
final class EmbeddingGraph {
    static final String FILENAME = "phi-4-mm-embedding.onnx";

    private EmbeddingGraph() {}

    static OnnxGraphBuilder build(TestModelSpec spec, SeededWeights weights) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("phi4mm_embedding");
        GraphOps ops = new GraphOps(g, spec.floatType());
        int hidden = spec.hidden();
        g.input("input_ids", DataType.INT64, "batch_size", "sequence_length");
        g.input("image_features", ops.io, "num_image_tokens", hidden);
        g.input("audio_features", ops.io, "num_audio_tokens", hidden);
        g.output("inputs_embeds", ops.io, "batch_size", "sequence_length", hidden);

        String table = g.initializer(
                "model.embed_tokens.weight",
                ops.io,
                new long[] {Phi4Ids.VOCAB_SIZE, hidden},
                weights.normal("embed_tokens", Phi4Ids.VOCAB_SIZE * hidden, 0, 1.0));
        String ids = g.op("Reshape", "input_ids", g.constInt64(-1));
        String embedded =
                ops.toCompute(g.node("Gather").in(table, ids).attr("axis", 0L).out());
        String zeroRow = g.initializer("feature_zero_row", DataType.FLOAT, new long[] {1, hidden}, new float[hidden]);

        String audioScattered = scatter(g, ops, ids, Phi4Ids.AUDIO_TOKEN, "audio_features", zeroRow, embedded);
        String scattered = scatter(g, ops, ids, Phi4Ids.IMAGE_TOKEN, "image_features", zeroRow, audioScattered);
        String shape = g.node("Concat")
                .in(g.op("Shape", "input_ids"), g.constInt64(hidden))
                .attr("axis", 0L)
                .out();
        ops.toIo(g.op("Reshape", scattered, shape), "inputs_embeds");
        return g;
    }

    /** Rows of {@code base} [n, hidden] at positions where {@code ids == placeholder} replaced by feature rows. */
    private static String scatter(
            OnnxGraphBuilder g,
            GraphOps ops,
            String ids,
            int placeholder,
            String features,
            String zeroRow,
            String base) {
        String isPlaceholder = g.op("Equal", ids, g.scalarInt64(placeholder));
        String asInt = ops.cast(isPlaceholder, DataType.INT64);
        String ordinal = g.op("Mul", g.op("CumSum", asInt, g.scalarInt64(0)), asInt);
        String table = g.node("Concat")
                .in(zeroRow, ops.toCompute(features))
                .attr("axis", 0L)
                .out();
        String rows = g.node("Gather").in(table, ordinal).attr("axis", 0L).out();
        return g.op("Where", ops.unsqueeze(isPlaceholder, 1), rows, base);
    }
}

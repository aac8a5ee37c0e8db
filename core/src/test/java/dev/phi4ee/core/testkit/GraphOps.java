package dev.phi4ee.core.testkit;

import dev.phi4ee.core.model.onnx.Onnx.TensorProto.DataType;

/**
 * Small compound operations shared by the test graphs. Computation is float32 throughout; tensors stored or exchanged
 * in the model's float type (float16 in the fp16 variant) are cast at the graph boundary, which keeps the graphs
 * within the CPU execution provider's float32 kernels.
 */
final class GraphOps {
    final OnnxGraphBuilder g;
    /** Storage/interface type of float tensors: FLOAT or FLOAT16. */
    final DataType io;

    GraphOps(OnnxGraphBuilder g, TestModelSpec.FloatType floatType) {
        this.g = g;
        this.io = floatType == TestModelSpec.FloatType.FP16 ? DataType.FLOAT16 : DataType.FLOAT;
    }

    /** {@code x} (of the interface type) as float32. */
    String toCompute(String x) {
        return io == DataType.FLOAT ? x : cast(x, DataType.FLOAT);
    }

    /** Float32 {@code x} in the interface type; {@code name} names the result (null: automatic). */
    String toIo(String x, String name) {
        if (io == DataType.FLOAT) {
            return name == null ? x : g.node("Identity").in(x).out(name);
        }
        var node = g.node("Cast").in(x).attr("to", (long) DataType.FLOAT16.getNumber());
        return name == null ? node.out() : node.out(name);
    }

    String cast(String x, DataType to) {
        return g.node("Cast").in(x).attr("to", (long) to.getNumber()).out();
    }

    /** A stored weight (interface type), returned as a float32 value name. */
    String weight(String name, long[] dims, float[] values) {
        return toCompute(g.initializer(name, io, dims, values));
    }

    /** RMSNorm over the last axis (Phi-4-mini: rms_norm_eps 1e-5, reference §10.1). */
    String rmsNorm(String x, String weight) {
        String meanSquare = g.node("ReduceMean")
                .in(g.op("Mul", x, x))
                .attr("axes", new long[] {-1})
                .attr("keepdims", 1L)
                .out();
        String rms = g.op("Sqrt", g.op("Add", meanSquare, g.scalarFloat(1e-5f)));
        return g.op("Mul", g.op("Div", x, rms), weight);
    }

    /** Element {@code index} of {@code x}'s shape as an int64 scalar. */
    String dim(String x, long index) {
        return g.node("Gather")
                .in(g.op("Shape", x), g.scalarInt64(index))
                .attr("axis", 0L)
                .out();
    }

    String unsqueeze(String x, long... axes) {
        return g.op("Unsqueeze", x, g.constInt64(axes));
    }

    String reduceSum(String x, boolean keepDims, long... axes) {
        return g.node("ReduceSum")
                .in(x, g.constInt64(axes))
                .attr("keepdims", keepDims ? 1L : 0L)
                .out();
    }

    /**
     * For ragged concatenation without Loop: given per-item row counts {@code counts} (int64 [N]), returns
     * {item index, row index within the item} (int64 [total] each) for the rows 0 … Σcounts − 1.
     */
    String[] raggedRows(String counts) {
        String total = reduceSum(counts, false, 0);
        String rows = g.op("Range", g.scalarInt64(0), total, g.scalarInt64(1));
        String ends = g.op("CumSum", counts, g.scalarInt64(0));
        String starts = g.op("Sub", ends, counts);
        // item(r) = number of items whose end is ≤ r
        String passed = cast(g.op("GreaterOrEqual", unsqueeze(rows, 1), unsqueeze(ends, 0)), DataType.INT64);
        String item = reduceSum(passed, false, 1);
        String local = g.op(
                "Sub", rows, g.node("Gather").in(starts, item).attr("axis", 0L).out());
        return new String[] {item, local};
    }

    /** sin(position · freq + phase) rows, float32 [len(positions), width] — a position term for feature rows. */
    String positionTerm(String positions, SeededWeights weights, String prefix, int width) {
        String p = unsqueeze(cast(positions, DataType.FLOAT), 1);
        String freq = g.initializer(
                prefix + ".position.freq",
                DataType.FLOAT,
                new long[] {1, width},
                weights.uniform(prefix + ".freq", width, 0.01, 1.0));
        String phase = g.initializer(
                prefix + ".position.phase",
                DataType.FLOAT,
                new long[] {1, width},
                weights.uniform(prefix + ".phase", width, 0, 6.28));
        return g.op("Sin", g.op("Add", g.op("Mul", p, freq), phase));
    }
}

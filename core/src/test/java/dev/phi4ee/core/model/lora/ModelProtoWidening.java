package dev.phi4ee.core.model.lora;

import com.google.protobuf.ByteString;
import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.model.onnx.Onnx.AttributeProto;
import dev.phi4ee.core.model.onnx.Onnx.GraphProto;
import dev.phi4ee.core.model.onnx.Onnx.ModelProto;
import dev.phi4ee.core.model.onnx.Onnx.NodeProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorShapeProto;
import dev.phi4ee.core.model.onnx.Onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The rank widening as it was before the streaming rewrite: the whole model parsed into protobuf objects (every
 * LoRA zero held as an object field, ~4 bytes per element), widened, serialized again. Kept as the reference that
 * {@link LoraGraph#widen} must equal in meaning (the same ModelProto once parsed) — not used by the runtime.
 */
final class ModelProtoWidening {
    private static final int DEFAULT_BLOCK_SIZE = 32;

    private final ModelProto model;
    private final String source;
    private final LoraLayout layout;
    private final Map<String, TensorProto> defaults;

    private ModelProtoWidening(ModelProto model, String source, LoraLayout layout, Map<String, TensorProto> defaults) {
        this.model = model;
        this.source = source;
        this.layout = layout;
        this.defaults = defaults;
    }

    /** Finds the LoRA inputs of {@code model} and their ranks. */
    static ModelProtoWidening of(ModelProto model, String source) {
        GraphProto g = model.getGraph();
        Map<String, TensorProto> initializers = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        Map<String, TensorProto> defaults = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (ValueInfoProto input : g.getInputList()) {
            if (LoraTensor.parse(input.getName()).isEmpty()) {
                if (input.getName().contains(".lora_")) {
                    throw new ModelFormatException(source + ": LoRA input " + input.getName()
                            + " is neither a weight, a weight_Q4 nor a weight_scales; its rank cannot be widened");
                }
                continue;
            }
            TensorProto init = initializers.get(input.getName());
            if (init == null) {
                throw new ModelFormatException(source + ": LoRA input " + input.getName()
                        + " has no default initializer (reference §5.1: zero default = no LoRA)");
            }
            defaults.put(input.getName(), init);
            shapes.put(
                    input.getName(),
                    init.getDimsList().stream().mapToLong(Long::longValue).toArray());
        }
        return new ModelProtoWidening(
                model, source, LoraLayout.of(source, shapes, blockSize(g, defaults.keySet())), defaults);
    }

    private static int blockSize(GraphProto g, Set<String> loraInputs) {
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("MatMulNBits") && n.getInputCount() > 1 && loraInputs.contains(n.getInput(1))) {
                return (int) intAttribute(n, "block_size", DEFAULT_BLOCK_SIZE);
            }
        }
        return DEFAULT_BLOCK_SIZE;
    }

    /**
     * The model with every LoRA target in {@code ranks} widened to that rank: default initializers zero-padded
     * (inline), input shapes, MatMulNBits {@code N} (lora_A) / {@code K} (lora_B), and Reshape shape constants that
     * restate a LoRA input's shape. Value-info annotations of rank-carrying tensors are dropped (ONNX Runtime infers
     * them again). Other initializers keep their external-data locations, relative to {@code baseDir}.
     *
     * @param baseDir directory of the original graph file, to read externally stored default initializers
     */
    ModelProto widen(Map<String, Integer> ranks, Path baseDir) {
        GraphProto.Builder g = model.getGraph().toBuilder();
        Map<String, long[]> newDims = new HashMap<>();
        for (var e : defaults.entrySet()) {
            LoraTensor t = layout.tensors().get(e.getKey());
            Integer rankR = ranks.get(t.target());
            int r = layout.ranks().get(t.target());
            if (rankR == null || rankR == r) {
                continue;
            }
            if (rankR < r) {
                throw new IllegalArgumentException(t.name() + ": cannot narrow rank " + r + " to " + rankR);
            }
            newDims.put(t.name(), layout.widenedDims(t.name(), rankR));
        }
        if (newDims.isEmpty()) {
            return model;
        }
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto init = g.getInitializer(i);
            long[] dims = newDims.get(init.getName());
            if (dims == null) {
                continue;
            }
            LoraTensor t = layout.tensors().get(init.getName());
            int size = TensorData.elementSize(init.getDataType(), source + ": " + init.getName());
            byte[] padded =
                    layout.widen(init.getName(), TensorData.bytes(init, baseDir, source), size, ranks.get(t.target()));
            TensorProto.Builder b = TensorProto.newBuilder()
                    .setName(init.getName())
                    .setDataType(init.getDataType())
                    .setRawData(ByteString.copyFrom(padded));
            for (long d : dims) {
                b.addDims(d);
            }
            g.setInitializer(i, b);
        }
        for (int i = 0; i < g.getInputCount(); i++) {
            long[] dims = newDims.get(g.getInput(i).getName());
            if (dims != null) {
                g.setInput(i, withStaticDims(g.getInput(i), dims));
            }
        }
        Set<String> rankCarrying = patchNodes(g, newDims, ranks);
        for (int i = g.getValueInfoCount() - 1; i >= 0; i--) {
            if (rankCarrying.contains(g.getValueInfo(i).getName())) {
                g.removeValueInfo(i);
            }
        }
        return model.toBuilder().setGraph(g).build();
    }

    /** Patches the consumers of widened inputs; returns the names of every tensor with a rank dimension. */
    private Set<String> patchNodes(GraphProto.Builder g, Map<String, long[]> newDims, Map<String, Integer> ranks) {
        Map<String, TensorProto> shapeConstants = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            if (t.getDataType() == TensorProto.DataType.INT64_VALUE && t.getDimsCount() == 1) {
                shapeConstants.put(t.getName(), t);
            }
        }
        // Tensors whose shape has the rank: the widened inputs, views of them, and lora_A products x·A.
        Set<String> rankCarrying = new HashSet<>(newDims.keySet());
        Map<String, String> inputOf = new HashMap<>();
        newDims.keySet().forEach(n -> inputOf.put(n, n));
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            String lora = n.getInputList().stream()
                    .filter(inputOf::containsKey)
                    .map(inputOf::get)
                    .findFirst()
                    .orElse(null);
            if (lora == null) {
                continue;
            }
            LoraTensor t = layout.tensors().get(lora);
            int rankR = ranks.get(t.target());
            int r = layout.ranks().get(t.target());
            NodeProto.Builder nb = n.toBuilder();
            switch (n.getOpType()) {
                case "Reshape", "Cast", "Identity" -> {
                    if (n.getOpType().equals("Reshape") && shapeConstants.containsKey(n.getInput(1))) {
                        patchShapeConstant(g, nb, shapeConstants.get(n.getInput(1)), lora, newDims.get(lora));
                    }
                    n.getOutputList().forEach(o -> inputOf.put(o, lora));
                    rankCarrying.addAll(n.getOutputList());
                }
                case "MatMul" -> {
                    if (t.isA()) {
                        rankCarrying.addAll(n.getOutputList());
                    }
                }
                case "MatMulNBits" -> {
                    String attr = t.isA() ? "N" : "K";
                    long old = intAttribute(n, attr, -1);
                    if (old != r) {
                        throw new ModelFormatException(source + ": node " + n.getName() + " (MatMulNBits on " + lora
                                + ") has " + attr + " = " + old + ", expected the rank " + r);
                    }
                    setIntAttribute(nb, attr, rankR);
                    if (t.isA()) {
                        rankCarrying.addAll(n.getOutputList());
                    }
                }
                default ->
                    throw new ModelFormatException(source + ": LoRA input " + lora + " feeds a "
                            + n.getOpType() + " node (" + n.getName() + "); only MatMul/MatMulNBits (after Reshape,"
                            + " Cast, Identity) can be widened");
            }
            g.setNode(i, nb);
        }
        return rankCarrying;
    }

    /** Gives a Reshape that restates the input's old shape a new constant with the widened shape. */
    private void patchShapeConstant(
            GraphProto.Builder g, NodeProto.Builder node, TensorProto shape, String lora, long[] widened) {
        long[] values = int64Values(shape);
        long[] old = layout.dims(lora);
        if (!java.util.Arrays.equals(values, old)) {
            return; // −1 / 0 entries or another layout: the shape follows the input by itself
        }
        String name = shape.getName() + "/rank_widened/" + lora;
        ByteBuffer b = ByteBuffer.allocate(widened.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : widened) {
            b.putLong(v);
        }
        g.addInitializer(TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(widened.length)
                .setRawData(ByteString.copyFrom(b.flip())));
        node.setInput(1, name);
    }

    private static long[] int64Values(TensorProto t) {
        if (t.hasRawData()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            long[] v = new long[b.remaining() / 8];
            for (int i = 0; i < v.length; i++) {
                v[i] = b.getLong();
            }
            return v;
        }
        return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
    }

    private static ValueInfoProto withStaticDims(ValueInfoProto input, long[] dims) {
        if (!input.getType().hasTensorType() || !input.getType().getTensorType().hasShape()) {
            return input;
        }
        ValueInfoProto.Builder b = input.toBuilder();
        TensorShapeProto.Builder shape =
                b.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
        for (int d = 0; d < shape.getDimCount() && d < dims.length; d++) {
            // Symbolic dimensions (the release's, §5.1) stay symbolic; static ones get the widened size.
            if (shape.getDim(d).hasDimValue()) {
                shape.getDimBuilder(d).setDimValue(dims[d]);
            }
        }
        return b.build();
    }

    private static long intAttribute(NodeProto n, String name, long fallback) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return fallback;
    }

    private static void setIntAttribute(NodeProto.Builder n, String name, long value) {
        for (int i = 0; i < n.getAttributeCount(); i++) {
            if (n.getAttribute(i).getName().equals(name)) {
                n.setAttribute(i, n.getAttribute(i).toBuilder().setI(value));
                return;
            }
        }
    }
}

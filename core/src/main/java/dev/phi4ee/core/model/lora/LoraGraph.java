package dev.phi4ee.core.model.lora;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.model.onnx.Onnx.AttributeProto;
import dev.phi4ee.core.model.onnx.Onnx.NodeProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorShapeProto;
import dev.phi4ee.core.model.onnx.Onnx.ValueInfoProto;
import dev.phi4ee.core.model.onnx.OnnxGraphIndex;
import dev.phi4ee.core.model.onnx.OnnxGraphRewrite;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The text graph's LoRA inputs (reference §3.4, §5.1): overridable initializers — graph inputs backed by a
 * zero-filled initializer of the same name — consumed by MatMul (float form) or MatMulNBits (int4 form). Widens
 * their rank as a {@link OnnxGraphRewrite} of the indexed file: only the LoRA initializers, the inputs' static dims,
 * the consuming nodes' attributes and shape constants are regenerated, one at a time; nothing here needs ONNX
 * Runtime, and no more than one LoRA tensor is on the heap at once, however its zeros are stored (inline
 * {@code int32_data}/{@code float_data} as the release's builder writes them, {@code raw_data}, or external data).
 */
public final class LoraGraph {
    private static final int DEFAULT_BLOCK_SIZE = 32;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int TENSOR_RAW_DATA = 9;

    private final OnnxGraphIndex index;
    private final String source;
    private final Path baseDir;
    private final LoraLayout layout;
    private final Map<String, OnnxGraphIndex.Initializer> defaults;

    private LoraGraph(
            OnnxGraphIndex index,
            String source,
            Path baseDir,
            LoraLayout layout,
            Map<String, OnnxGraphIndex.Initializer> defaults) {
        this.index = index;
        this.source = source;
        this.baseDir = baseDir;
        this.layout = layout;
        this.defaults = defaults;
    }

    /**
     * Finds the LoRA inputs of the indexed model and their ranks.
     *
     * @param source file name used in error messages
     * @param baseDir directory of the graph file, where externally stored initializers are read from
     * @throws ModelFormatException when a LoRA input has no default initializer or the shapes are inconsistent
     */
    public static LoraGraph of(OnnxGraphIndex index, String source, Path baseDir) {
        Map<String, OnnxGraphIndex.Initializer> initializers = new HashMap<>();
        for (OnnxGraphIndex.Initializer t : index.initializers()) {
            initializers.put(t.name(), t);
        }
        Map<String, OnnxGraphIndex.Initializer> defaults = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (OnnxGraphIndex.Value input : index.inputs()) {
            if (LoraTensor.parse(input.name()).isEmpty()) {
                if (input.name().contains(".lora_")) {
                    throw new ModelFormatException(source + ": LoRA input " + input.name()
                            + " is neither a weight, a weight_Q4 nor a weight_scales; its rank cannot be widened");
                }
                continue;
            }
            OnnxGraphIndex.Initializer init = initializers.get(input.name());
            if (init == null) {
                throw new ModelFormatException(source + ": LoRA input " + input.name()
                        + " has no default initializer; the graph must give each LoRA input a zero default, which is how a"
                        + " request without an adapter runs");
            }
            defaults.put(input.name(), init);
            shapes.put(input.name(), init.dims());
        }
        int blockSize = blockSize(index, source, defaults.keySet());
        return new LoraGraph(index, source, baseDir, LoraLayout.of(source, shapes, blockSize), defaults);
    }

    private static int blockSize(OnnxGraphIndex index, String source, Set<String> loraInputs) {
        for (OnnxGraphIndex.Node n : index.nodes()) {
            if (n.opType().equals("MatMulNBits")
                    && n.inputs().size() > 1
                    && loraInputs.contains(n.inputs().get(1))) {
                return (int) intAttribute(parse(index, source, n), "block_size", DEFAULT_BLOCK_SIZE);
            }
        }
        return DEFAULT_BLOCK_SIZE;
    }

    public LoraLayout layout() {
        return layout;
    }

    /** {@code true} when the graph has LoRA inputs at all. */
    public boolean hasLora() {
        return !defaults.isEmpty();
    }

    /**
     * The largest rank {@code target} may be widened to: min(in, out) of its projection — beyond that the update is
     * no longer low-rank and only costs memory.
     */
    public int maxRank(String target) {
        long in = Long.MAX_VALUE;
        long out = Long.MAX_VALUE;
        for (LoraTensor t : layout.tensors().values()) {
            if (!t.target().equals(target)) {
                continue;
            }
            long[] d = layout.dims(t.name());
            switch (t.form()) {
                case FLOAT -> {
                    if (t.isA()) {
                        in = d[0];
                    } else {
                        out = d[1];
                    }
                }
                case Q4 -> {
                    if (t.isA()) {
                        in = d[1] * layout.blockSize();
                    } else {
                        out = d[0];
                    }
                }
                case SCALES -> {}
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.min(in, out));
    }

    /**
     * The model with every LoRA target in {@code ranks} widened to that rank, as a rewrite of the indexed file:
     * default initializers zero-padded (inline {@code raw_data}), input shapes, MatMulNBits {@code N} (lora_A) /
     * {@code K} (lora_B), and Reshape shape constants that restate a LoRA input's shape. Value-info annotations of
     * rank-carrying tensors are dropped (ONNX Runtime infers them again). Everything else — other initializers with
     * their external-data locations included — is copied byte for byte. Empty when no rank grows.
     */
    public Optional<OnnxGraphRewrite> widen(Map<String, Integer> ranks) {
        Map<String, long[]> newDims = new HashMap<>();
        for (String name : defaults.keySet()) {
            LoraTensor t = layout.tensors().get(name);
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
            return Optional.empty();
        }
        OnnxGraphRewrite rewrite = new OnnxGraphRewrite(index);
        for (OnnxGraphIndex.Initializer init : index.initializers()) {
            long[] dims = newDims.get(init.name());
            if (dims != null) {
                int rankR = ranks.get(layout.tensors().get(init.name()).target());
                rewrite.replace(init.span(), widenedDefault(init, dims, rankR));
            }
        }
        for (OnnxGraphIndex.Value input : index.inputs()) {
            long[] dims = newDims.get(input.name());
            if (dims != null) {
                ValueInfoProto before = parse(input);
                ValueInfoProto after = withStaticDims(before, dims);
                if (!after.equals(before)) {
                    rewrite.replace(input.span(), OnnxGraphRewrite.message(GRAPH_INPUT, after));
                }
            }
        }
        Set<String> rankCarrying = patchNodes(rewrite, newDims, ranks);
        for (OnnxGraphIndex.Value v : index.valueInfos()) {
            if (rankCarrying.contains(v.name())) {
                rewrite.remove(v.span());
            }
        }
        return Optional.of(rewrite);
    }

    /**
     * The widened default of {@code init}: name, type and new dims, and its values zero-padded as {@code raw_data}.
     * The size is known from the shape; the original values are read (and parsed, if stored as typed fields) only
     * when the rewrite is written, one tensor at a time.
     */
    private OnnxGraphRewrite.Field widenedDefault(OnnxGraphIndex.Initializer init, long[] dims, int rankR) {
        String what = source + ": initializer " + init.name();
        int size = TensorData.elementSize(init.dataType(), what);
        long dataSize = layout.widenedSize(init.name(), size, rankR);
        TensorProto.Builder b = TensorProto.newBuilder().setName(init.name()).setDataType(init.dataType());
        for (long d : dims) {
            b.addDims(d);
        }
        TensorProto header = b.build();
        long payload = header.getSerializedSize()
                + CodedOutputStream.computeTagSize(TENSOR_RAW_DATA)
                + CodedOutputStream.computeUInt64SizeNoTag(dataSize)
                + dataSize;
        return new OnnxGraphRewrite.Field() {
            @Override
            public int number() {
                return GRAPH_INITIALIZER;
            }

            @Override
            public long payloadSize() {
                return payload;
            }

            @Override
            public void writePayload(CodedOutputStream out) throws IOException {
                byte[] padded = layout.widen(init.name(), values(init, what), size, rankR);
                header.writeTo(out);
                out.writeTag(TENSOR_RAW_DATA, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(padded.length);
                out.writeRawBytes(padded);
            }
        };
    }

    /** The default's element bytes: decoded straight from the file when inline, else through the parsed message. */
    private byte[] values(OnnxGraphIndex.Initializer init, String what) {
        long count = 1;
        for (long d : init.dims()) {
            count = Math.multiplyExact(count, d);
        }
        try {
            byte[] inline = TensorData.inlineBytes(index.payload(init), init.dataType(), count, what);
            return inline != null ? inline : TensorData.bytes(index.tensor(init), baseDir, source);
        } catch (IOException e) {
            throw new ModelFormatException(what + ": " + e.getMessage(), e);
        }
    }

    /** Patches the consumers of widened inputs; returns the names of every tensor with a rank dimension. */
    private Set<String> patchNodes(OnnxGraphRewrite rewrite, Map<String, long[]> newDims, Map<String, Integer> ranks) {
        Map<String, OnnxGraphIndex.Initializer> shapeConstants = new HashMap<>();
        for (OnnxGraphIndex.Initializer t : index.initializers()) {
            if (t.dataType() == TensorProto.DataType.INT64_VALUE && t.dims().length == 1) {
                shapeConstants.put(t.name(), t);
            }
        }
        // Tensors whose shape has the rank: the widened inputs, views of them, and lora_A products x·A.
        Set<String> rankCarrying = new HashSet<>(newDims.keySet());
        Map<String, String> inputOf = new HashMap<>();
        newDims.keySet().forEach(n -> inputOf.put(n, n));
        for (OnnxGraphIndex.Node n : index.nodes()) {
            String lora = n.inputs().stream()
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
            switch (n.opType()) {
                case "Reshape", "Cast", "Identity" -> {
                    if (n.opType().equals("Reshape")
                            && n.inputs().size() > 1
                            && shapeConstants.containsKey(n.inputs().get(1))) {
                        patchShapeConstant(
                                rewrite, n, shapeConstants.get(n.inputs().get(1)), lora, newDims.get(lora));
                    }
                    n.outputs().forEach(o -> inputOf.put(o, lora));
                    rankCarrying.addAll(n.outputs());
                }
                case "MatMul" -> {
                    if (t.isA()) {
                        rankCarrying.addAll(n.outputs());
                    }
                }
                case "MatMulNBits" -> {
                    NodeProto node = parse(n);
                    String attr = t.isA() ? "N" : "K";
                    long old = intAttribute(node, attr, -1);
                    if (old != r) {
                        throw new ModelFormatException(source + ": node " + n.name() + " (MatMulNBits on " + lora
                                + ") has " + attr + " = " + old + ", expected the rank " + r);
                    }
                    rewrite.replace(
                            n.span(), OnnxGraphRewrite.message(GRAPH_NODE, withIntAttribute(node, attr, rankR)));
                    if (t.isA()) {
                        rankCarrying.addAll(n.outputs());
                    }
                }
                default ->
                    throw new ModelFormatException(source + ": LoRA input " + lora + " feeds a "
                            + n.opType() + " node (" + n.name() + "); only MatMul/MatMulNBits (after Reshape,"
                            + " Cast, Identity) can be widened");
            }
        }
        return rankCarrying;
    }

    /** Gives a Reshape that restates the input's old shape a new constant with the widened shape. */
    private void patchShapeConstant(
            OnnxGraphRewrite rewrite,
            OnnxGraphIndex.Node node,
            OnnxGraphIndex.Initializer shape,
            String lora,
            long[] widened) {
        long[] old = layout.dims(lora);
        if (shape.dims()[0] != old.length || !Arrays.equals(int64Values(parse(shape)), old)) {
            return; // −1 / 0 entries or another layout: the shape follows the input by itself
        }
        String name = shape.name() + "/rank_widened/" + lora;
        ByteBuffer b = ByteBuffer.allocate(widened.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : widened) {
            b.putLong(v);
        }
        rewrite.append(OnnxGraphRewrite.message(
                GRAPH_INITIALIZER,
                TensorProto.newBuilder()
                        .setName(name)
                        .setDataType(TensorProto.DataType.INT64_VALUE)
                        .addDims(widened.length)
                        .setRawData(com.google.protobuf.ByteString.copyFrom(b.flip()))
                        .build()));
        rewrite.replace(
                node.span(),
                OnnxGraphRewrite.message(
                        GRAPH_NODE, parse(node).toBuilder().setInput(1, name).build()));
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

    private static NodeProto withIntAttribute(NodeProto n, String name, long value) {
        NodeProto.Builder b = n.toBuilder();
        for (int i = 0; i < b.getAttributeCount(); i++) {
            if (b.getAttribute(i).getName().equals(name)) {
                b.setAttribute(i, b.getAttribute(i).toBuilder().setI(value));
                break;
            }
        }
        return b.build();
    }

    private NodeProto parse(OnnxGraphIndex.Node n) {
        return parse(index, source, n);
    }

    private static NodeProto parse(OnnxGraphIndex index, String source, OnnxGraphIndex.Node n) {
        try {
            return index.node(n);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException(source + ": node " + n.name() + ": " + e.getMessage(), e);
        }
    }

    private ValueInfoProto parse(OnnxGraphIndex.Value v) {
        try {
            return index.valueInfo(v);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException(source + ": input " + v.name() + ": " + e.getMessage(), e);
        }
    }

    private TensorProto parse(OnnxGraphIndex.Initializer t) {
        try {
            return index.tensor(t);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException(source + ": initializer " + t.name() + ": " + e.getMessage(), e);
        }
    }
}

package dev.phi4ee.core.testkit;

import com.google.protobuf.ByteString;
import dev.phi4ee.core.model.onnx.Onnx.AttributeProto;
import dev.phi4ee.core.model.onnx.Onnx.GraphProto;
import dev.phi4ee.core.model.onnx.Onnx.ModelProto;
import dev.phi4ee.core.model.onnx.Onnx.NodeProto;
import dev.phi4ee.core.model.onnx.Onnx.OperatorSetIdProto;
import dev.phi4ee.core.model.onnx.Onnx.StringStringEntryProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto.DataType;
import dev.phi4ee.core.model.onnx.Onnx.TensorShapeProto;
import dev.phi4ee.core.model.onnx.Onnx.TypeProto;
import dev.phi4ee.core.model.onnx.Onnx.ValueInfoProto;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A small fluent builder of ONNX graphs on the project's own schema subset ({@code onnx_subset.proto}).
 *
 * <p>Dimensions are given as {@link Integer}/{@link Long} (fixed) or {@link String} (symbolic {@code dim_param}).
 * Float initializers are stored in the requested element type (float32 or float16, little-endian {@code raw_data}).
 * An initializer that is also declared as a graph input ({@link #overridableInitializer}) is an optional input with a
 * default value, the mechanism the release uses for its LoRA weights (reference §5.1).
 *
 * <p>Nodes get unique names and, unless an output name is given, unique output names. Subgraphs (for {@code If})
 * are built with {@link #subgraph(String)} and share this builder's name counter so names never collide with the
 * outer scope.
 */
public final class OnnxGraphBuilder {
    /** Where an initializer's values are stored in the file. */
    public enum TensorStorage {
        /**
         * Typed fields inline, as onnx {@code helper.make_tensor(vals=…)} writes them: {@code float_data} for
         * float32, {@code int32_data} for float16 (bit patterns) and 8-bit integers (onnx {@code helper.py}
         * {@code make_tensor}, storage types in {@code _mapping.py} {@code TENSOR_TYPE_MAP}). {@code
         * save_as_external_data} moves only {@code raw_data}, so these stay in the graph file whatever their size:
         * how the release's builder stores its LoRA zero defaults (reference §5.1).
         */
        TYPED_FIELDS,
        /** Little-endian {@code raw_data}, moved to external data like any initializer above the threshold. */
        RAW_DATA,
        /** {@code raw_data} moved to {@code <graph>.onnx.data} whatever its size. */
        EXTERNAL_DATA
    }

    public static final String MS_DOMAIN = "com.microsoft";
    public static final long IR_VERSION = 8;
    public static final long ONNX_OPSET = 17;

    private final String graphName;
    private final int[] counter;
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Map<String, Long> opsets = new LinkedHashMap<>();
    private final java.util.Set<String> alwaysExternal = new java.util.HashSet<>();

    public OnnxGraphBuilder(String graphName) {
        this(graphName, new int[1]);
        opsets.put("", ONNX_OPSET);
    }

    private OnnxGraphBuilder(String graphName, int[] counter) {
        this.graphName = graphName;
        this.counter = counter;
        graph.setName(graphName);
    }

    /** A builder for a subgraph (e.g. an {@code If} branch) whose generated names cannot clash with this graph. */
    public OnnxGraphBuilder subgraph(String name) {
        return new OnnxGraphBuilder(name, counter);
    }

    public OnnxGraphBuilder opset(String domain, long version) {
        opsets.put(domain, version);
        return this;
    }

    public OnnxGraphBuilder input(String name, DataType type, Object... dims) {
        graph.addInput(valueInfo(name, type, dims));
        return this;
    }

    public OnnxGraphBuilder output(String name, DataType type, Object... dims) {
        graph.addOutput(valueInfo(name, type, dims));
        return this;
    }

    /** A float initializer stored as {@code type} (FLOAT or FLOAT16). */
    public String initializer(String name, DataType type, long[] dims, float[] values) {
        graph.addInitializer(floatTensor(name, type, dims, values));
        return name;
    }

    public String initializerInt64(String name, long[] dims, long... values) {
        checkCount(name, dims, values.length);
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            buf.putLong(v);
        }
        graph.addInitializer(tensor(name, DataType.INT64, dims, buf.flip()));
        return name;
    }

    public String initializerInt32(String name, long[] dims, int... values) {
        checkCount(name, dims, values.length);
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            buf.putInt(v);
        }
        graph.addInitializer(tensor(name, DataType.INT32, dims, buf.flip()));
        return name;
    }

    public String initializerUint8(String name, long[] dims, byte[] values) {
        checkCount(name, dims, values.length);
        graph.addInitializer(tensor(name, DataType.UINT8, dims, ByteBuffer.wrap(values)));
        return name;
    }

    /** A graph input of the given shape that defaults to {@code values} when not fed. */
    public String overridableInitializer(String name, DataType type, long[] dims, float[] values) {
        return overridableInitializer(name, type, dims, values, TensorStorage.RAW_DATA);
    }

    /** As {@link #overridableInitializer(String, DataType, long[], float[])}, its values stored as {@code storage}. */
    public String overridableInitializer(
            String name, DataType type, long[] dims, float[] values, TensorStorage storage) {
        Object[] boxed = new Object[dims.length];
        for (int i = 0; i < dims.length; i++) {
            boxed[i] = dims[i];
        }
        graph.addInput(valueInfo(name, type, boxed));
        TensorProto t = floatTensor(name, type, dims, values);
        if (storage == TensorStorage.TYPED_FIELDS) {
            t = typedFields(t);
        } else if (storage == TensorStorage.EXTERNAL_DATA) {
            alwaysExternal.add(name);
        }
        graph.addInitializer(t);
        return name;
    }

    /**
     * The same tensor with its {@code raw_data} moved to the typed field onnx's {@code helper.make_tensor} uses:
     * {@code float_data} for float32; {@code int32_data}, one element per entry, for float16/bfloat16 (bit
     * patterns) and 8-bit integers.
     */
    public static TensorProto typedFields(TensorProto t) {
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        TensorProto.Builder b = t.toBuilder().clearRawData();
        switch (DataType.forNumber(t.getDataType())) {
            case FLOAT -> {
                while (raw.hasRemaining()) {
                    b.addFloatData(raw.getFloat());
                }
            }
            case FLOAT16, BFLOAT16 -> {
                while (raw.hasRemaining()) {
                    b.addInt32Data(Short.toUnsignedInt(raw.getShort()));
                }
            }
            case UINT8 -> {
                while (raw.hasRemaining()) {
                    b.addInt32Data(Byte.toUnsignedInt(raw.get()));
                }
            }
            case INT8 -> {
                while (raw.hasRemaining()) {
                    b.addInt32Data(raw.get());
                }
            }
            default -> throw new IllegalArgumentException("no typed field for data type " + t.getDataType());
        }
        return b.build();
    }

    /** A scalar or 1-D int64 constant, named automatically. */
    public String constInt64(long... values) {
        return initializerInt64(fresh("const_i64"), new long[] {values.length}, values);
    }

    public String scalarInt64(long value) {
        return initializerInt64(fresh("scalar_i64"), new long[0], value);
    }

    public String scalarFloat(float value) {
        return initializer(fresh("scalar_f32"), DataType.FLOAT, new long[0], new float[] {value});
    }

    public Node node(String opType) {
        return new Node(opType);
    }

    /** Shortcut for a single-output ONNX-domain node without attributes. */
    public String op(String opType, String... inputs) {
        return node(opType).in(inputs).out();
    }

    public GraphProto graph() {
        return graph.build();
    }

    public ModelProto model(String producer) {
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName(producer)
                .setProducerVersion("1")
                .setGraph(graph);
        opsets.forEach((domain, version) -> model.addOpsetImport(
                OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version)));
        return model.build();
    }

    /**
     * Writes the model to {@code file}. Initializers of at least {@code externalThresholdBytes} bytes go to
     * {@code <file name>.data} beside it (ONNX external data, as the release stores its weights); pass
     * {@link Long#MAX_VALUE} to keep everything in one file.
     */
    public void write(Path file, String producer, long externalThresholdBytes) {
        ModelProto model = model(producer);
        try {
            if (externalThresholdBytes != Long.MAX_VALUE || !alwaysExternal.isEmpty()) {
                model = moveToExternalData(model, file, externalThresholdBytes);
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                model.writeTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private ModelProto moveToExternalData(ModelProto model, Path file, long threshold) throws IOException {
        String dataName = file.getFileName() + ".data";
        GraphProto.Builder g = model.getGraph().toBuilder();
        boolean any = false;
        try (FileChannel data = FileChannel.open(
                file.resolveSibling(dataName),
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            for (int i = 0; i < g.getInitializerCount(); i++) {
                TensorProto t = g.getInitializer(i);
                if (!t.hasRawData() || (t.getRawData().size() < threshold && !alwaysExternal.contains(t.getName()))) {
                    continue; // typed fields stay inline, as onnx's save_as_external_data leaves them
                }
                // ONNX Runtime mmaps external data; keep each tensor aligned as the ONNX tooling does.
                long offset = (data.position() + 4095) & ~4095L;
                data.position(offset);
                for (ByteBuffer b : t.getRawData().asReadOnlyByteBufferList()) {
                    while (b.hasRemaining()) {
                        data.write(b);
                    }
                }
                g.setInitializer(
                        i,
                        t.toBuilder()
                                .clearRawData()
                                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                                .addExternalData(entry("location", dataName))
                                .addExternalData(entry("offset", Long.toString(offset)))
                                .addExternalData(entry(
                                        "length",
                                        Integer.toString(t.getRawData().size()))));
                any = true;
            }
        }
        if (!any) {
            Files.delete(file.resolveSibling(dataName));
        }
        return model.toBuilder().setGraph(g).build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    public String fresh(String prefix) {
        return graphName + "/" + prefix + "_" + (counter[0]++);
    }

    static ValueInfoProto valueInfo(String name, DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            switch (d) {
                case String param -> dim.setDimParam(param);
                case Number value -> dim.setDimValue(value.longValue());
                default -> throw new IllegalArgumentException("dimension must be a String or a Number: " + d);
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(type.getNumber())
                                .setShape(shape)))
                .build();
    }

    static TensorProto floatTensor(String name, DataType type, long[] dims, float[] values) {
        checkCount(name, dims, values.length);
        ByteBuffer buf;
        if (type == DataType.FLOAT) {
            buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(values);
        } else if (type == DataType.FLOAT16) {
            buf = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.length; i++) {
                buf.putShort(i * 2, Float.floatToFloat16(values[i]));
            }
        } else {
            throw new IllegalArgumentException("not a float type: " + type);
        }
        return tensor(name, type, dims, buf);
    }

    private static TensorProto tensor(String name, DataType type, long[] dims, ByteBuffer littleEndianData) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber());
        for (long d : dims) {
            t.addDims(d);
        }
        return t.setRawData(ByteString.copyFrom(littleEndianData.rewind())).build();
    }

    private static void checkCount(String name, long[] dims, int count) {
        long expected = 1;
        for (long d : dims) {
            expected *= d;
        }
        if (expected != count) {
            throw new IllegalArgumentException(name + ": " + count + " values for " + expected + " elements");
        }
    }

    /** One node under construction; finish it with one of the {@code out} methods. */
    public final class Node {
        private final NodeProto.Builder node = NodeProto.newBuilder();

        private Node(String opType) {
            node.setOpType(opType);
        }

        public Node domain(String domain) {
            node.setDomain(domain);
            return this;
        }

        /** Inputs in order; an empty string marks an omitted optional input. */
        public Node in(String... inputs) {
            for (String input : inputs) {
                node.addInput(Objects.requireNonNull(input, "input"));
            }
            return this;
        }

        public Node attr(String name, long value) {
            node.addAttribute(AttributeProto.newBuilder()
                    .setName(name)
                    .setType(AttributeProto.AttributeType.INT)
                    .setI(value));
            return this;
        }

        public Node attr(String name, float value) {
            node.addAttribute(AttributeProto.newBuilder()
                    .setName(name)
                    .setType(AttributeProto.AttributeType.FLOAT)
                    .setF(value));
            return this;
        }

        public Node attr(String name, String value) {
            node.addAttribute(AttributeProto.newBuilder()
                    .setName(name)
                    .setType(AttributeProto.AttributeType.STRING)
                    .setS(ByteString.copyFromUtf8(value)));
            return this;
        }

        public Node attr(String name, long[] values) {
            AttributeProto.Builder a =
                    AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
            for (long v : values) {
                a.addInts(v);
            }
            node.addAttribute(a);
            return this;
        }

        public Node attr(String name, GraphProto value) {
            node.addAttribute(AttributeProto.newBuilder()
                    .setName(name)
                    .setType(AttributeProto.AttributeType.GRAPH)
                    .setG(value));
            return this;
        }

        public Node attr(String name, TensorProto value) {
            node.addAttribute(AttributeProto.newBuilder()
                    .setName(name)
                    .setType(AttributeProto.AttributeType.TENSOR)
                    .setT(value));
            return this;
        }

        /** Adds the node with one automatically named output and returns that name. */
        public String out() {
            return outs(1).get(0);
        }

        public String out(String name) {
            return outs(name).get(0);
        }

        public List<String> outs(int count) {
            String[] names = new String[count];
            for (int i = 0; i < count; i++) {
                names[i] = fresh(node.getOpType() + "_out");
            }
            return outs(names);
        }

        public List<String> outs(String... names) {
            node.setName(fresh(node.getOpType()));
            List<String> result = new ArrayList<>(names.length);
            for (String name : names) {
                node.addOutput(name);
                result.add(name);
            }
            graph.addNode(node);
            return result;
        }
    }
}

package dev.phi4ee.core.model.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.phi4ee.core.model.onnx.Onnx.NodeProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto;
import dev.phi4ee.core.model.onnx.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the nodes, initializers, inputs and value-info entries of a serialized ONNX model's main graph are, found by
 * walking the protobuf wire format over the model's bytes (typically a mapped file) without parsing tensor data.
 *
 * <p>Why: the release's text graph stores its LoRA zero defaults inline as {@code int32_data} (reference §5.1,
 * 236 MB); parsing the whole file into protobuf objects holds every element as a 4-byte int (~1 GB of heap). The index
 * keeps only names, op types, shapes and byte positions; single elements are parsed on demand ({@link #node},
 * {@link #tensor}, {@link #valueInfo}). Only the top-level graph is indexed; subgraphs stay inside their nodes' bytes.
 */
public final class OnnxGraphIndex {
    static final int MODEL_GRAPH = 7;
    static final int GRAPH_NODE = 1;
    static final int GRAPH_INITIALIZER = 5;
    static final int GRAPH_INPUT = 11;
    static final int GRAPH_VALUE_INFO = 13;

    /** A length-delimited field: bytes {@code [start, end)} hold its tag, length and payload. */
    public record Span(int start, int payloadStart, int end) {
        int payloadLength() {
            return end - payloadStart;
        }
    }

    /** A graph node: where it is, and what the LoRA rewrite needs to follow tensors through it. */
    public record Node(Span span, String name, String opType, List<String> inputs, List<String> outputs) {}

    /** A graph initializer's header: name, element type (ONNX {@code DataType} number) and shape. */
    public record Initializer(Span span, String name, int dataType, long[] dims) {
        public Initializer {
            dims = dims.clone();
        }

        @Override
        public long[] dims() {
            return dims.clone();
        }
    }

    /** A graph input or value-info entry, by name. */
    public record Value(Span span, String name) {}

    private final ByteBuffer model;
    private final Span graph;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Initializer> initializers = new ArrayList<>();
    private final List<Value> inputs = new ArrayList<>();
    private final List<Value> valueInfos = new ArrayList<>();

    private OnnxGraphIndex(ByteBuffer model, Span graph) {
        this.model = model;
        this.graph = graph;
    }

    /**
     * Indexes the serialized {@code ModelProto} in {@code model} (indexes 0 to its limit; the buffer is kept, not
     * copied, and must not change while the index is used).
     *
     * @throws InvalidProtocolBufferException when the bytes are not a well-formed ModelProto with one graph
     */
    public static OnnxGraphIndex of(ByteBuffer model) throws InvalidProtocolBufferException {
        ByteBuffer bytes = model.duplicate().position(0);
        Span graph = null;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes.duplicate());
            while (true) {
                int start = in.getTotalBytesRead();
                int tag = in.readTag();
                if (tag == 0) {
                    break;
                }
                if (WireFormat.getTagFieldNumber(tag) == MODEL_GRAPH
                        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    if (graph != null) {
                        throw new InvalidProtocolBufferException("the model has more than one graph field");
                    }
                    graph = skipPayload(in, start);
                } else if (!in.skipField(tag)) {
                    break;
                }
            }
            if (graph == null) {
                throw new InvalidProtocolBufferException("the model has no graph");
            }
            OnnxGraphIndex index = new OnnxGraphIndex(bytes, graph);
            index.scanGraph();
            return index;
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidProtocolBufferException("malformed ONNX model: " + e.getMessage());
        }
    }

    private void scanGraph() throws IOException {
        CodedInputStream in = stream(graph.payloadStart(), graph.payloadLength());
        int base = graph.payloadStart();
        while (!in.isAtEnd()) {
            int start = base + in.getTotalBytesRead();
            int tag = in.readTag();
            int field = WireFormat.getTagFieldNumber(tag);
            boolean delimited = WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
            if (!delimited || !isIndexed(field)) {
                in.skipField(tag);
                continue;
            }
            int length = in.readRawVarint32();
            int payloadStart = base + in.getTotalBytesRead();
            Span span = new Span(start, payloadStart, payloadStart + length);
            in.skipRawBytes(length);
            switch (field) {
                case GRAPH_NODE -> nodes.add(scanNode(span));
                case GRAPH_INITIALIZER -> initializers.add(scanTensorHeader(span));
                case GRAPH_INPUT -> inputs.add(new Value(span, scanName(span)));
                default -> valueInfos.add(new Value(span, scanName(span)));
            }
        }
    }

    private static boolean isIndexed(int field) {
        return field == GRAPH_NODE || field == GRAPH_INITIALIZER || field == GRAPH_INPUT || field == GRAPH_VALUE_INFO;
    }

    private Node scanNode(Span span) throws IOException {
        CodedInputStream in = stream(span.payloadStart(), span.payloadLength());
        List<String> in1 = new ArrayList<>();
        List<String> out = new ArrayList<>();
        String name = "";
        String opType = "";
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            switch (tag) {
                case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> in1.add(in.readString());
                case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> out.add(in.readString());
                case (3 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> name = in.readString();
                case (4 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> opType = in.readString();
                default -> in.skipField(tag); // attributes (tensors, subgraphs) are not read
            }
        }
        return new Node(span, name, opType, List.copyOf(in1), List.copyOf(out));
    }

    /** Name, data type and dims of a TensorProto; its data fields are skipped, whatever their size. */
    private Initializer scanTensorHeader(Span span) throws IOException {
        CodedInputStream in = stream(span.payloadStart(), span.payloadLength());
        List<Long> dims = new ArrayList<>();
        String name = "";
        int dataType = 0;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            switch (tag) {
                case (1 << 3) | WireFormat.WIRETYPE_VARINT -> dims.add(in.readInt64());
                case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                    int limit = in.pushLimit(in.readRawVarint32());
                    while (in.getBytesUntilLimit() > 0) {
                        dims.add(in.readInt64());
                    }
                    in.popLimit(limit);
                }
                case (2 << 3) | WireFormat.WIRETYPE_VARINT -> dataType = in.readInt32();
                case (8 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> name = in.readString();
                default -> in.skipField(tag);
            }
        }
        return new Initializer(
                span, name, dataType, dims.stream().mapToLong(Long::longValue).toArray());
    }

    /** Field 1 (name) of a ValueInfoProto. */
    private String scanName(Span span) throws IOException {
        CodedInputStream in = stream(span.payloadStart(), span.payloadLength());
        String name = "";
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == ((1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                name = in.readString();
            } else {
                in.skipField(tag);
            }
        }
        return name;
    }

    private static Span skipPayload(CodedInputStream in, int start) throws IOException {
        int length = in.readRawVarint32();
        int payloadStart = in.getTotalBytesRead();
        in.skipRawBytes(length);
        return new Span(start, payloadStart, payloadStart + length);
    }

    private CodedInputStream stream(int from, int length) {
        return CodedInputStream.newInstance(bytes(from, length));
    }

    /** A view of the model's bytes {@code [from, from + length)}. */
    ByteBuffer bytes(int from, int length) {
        return model.slice(from, length);
    }

    /** Total bytes of the indexed model. */
    int size() {
        return model.limit();
    }

    Span graph() {
        return graph;
    }

    /** The graph's nodes in file order (topological for a valid ONNX graph). */
    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    public List<Initializer> initializers() {
        return List.copyOf(initializers);
    }

    public List<Value> inputs() {
        return List.copyOf(inputs);
    }

    public List<Value> valueInfos() {
        return List.copyOf(valueInfos);
    }

    /** Parses one node (attributes included). */
    public NodeProto node(Node n) throws InvalidProtocolBufferException {
        return NodeProto.parseFrom(bytes(n.span().payloadStart(), n.span().payloadLength()));
    }

    /** The serialized TensorProto of {@code t} (a view of the model's bytes, no copy). */
    public ByteBuffer payload(Initializer t) {
        return bytes(t.span().payloadStart(), t.span().payloadLength());
    }

    /** Parses one initializer, its data included: call it for one tensor at a time. */
    public TensorProto tensor(Initializer t) throws InvalidProtocolBufferException {
        return TensorProto.parseFrom(bytes(t.span().payloadStart(), t.span().payloadLength()));
    }

    public ValueInfoProto valueInfo(Value v) throws InvalidProtocolBufferException {
        return ValueInfoProto.parseFrom(bytes(v.span().payloadStart(), v.span().payloadLength()));
    }
}

package dev.phi4ee.core.model.onnx;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Edits of the main graph of an indexed model, written out as a new serialized model in one pass: every byte outside
 * the edited fields is copied as it is (the other fields of the graph and of the model, unknown ones included), each
 * replaced field is written by its {@link Field} when the output reaches it, and appended fields go to the end of the
 * graph (for a repeated field such as {@code initializer}, parsers append them to the list). Protobuf has no field
 * order, so the result parses to the same message as applying the edits to the parsed model.
 *
 * <p>The output size is known before anything is written (the graph's length prefix precedes it), so the model can
 * be written into a buffer of exactly that size, e.g. native memory handed to ONNX Runtime; the heap holds one
 * replaced field at a time.
 */
public final class OnnxGraphRewrite {
    /** The new content of one length-delimited graph field. */
    public interface Field {
        /** Field number in {@code GraphProto} (5 = initializer, 1 = node, …). */
        int number();

        /** Exact payload size that {@link #writePayload} writes. */
        long payloadSize();

        void writePayload(CodedOutputStream out) throws IOException;
    }

    private record Edit(OnnxGraphIndex.Span at, Field replacement) {}

    private final OnnxGraphIndex index;
    private final TreeMap<Integer, Edit> edits = new TreeMap<>();
    private final List<Field> appended = new ArrayList<>();

    public OnnxGraphRewrite(OnnxGraphIndex index) {
        this.index = index;
    }

    /** A field whose payload is a small message serialized on the spot. */
    public static Field message(int number, MessageLite message) {
        return new Field() {
            @Override
            public int number() {
                return number;
            }

            @Override
            public long payloadSize() {
                return message.getSerializedSize();
            }

            @Override
            public void writePayload(CodedOutputStream out) throws IOException {
                message.writeTo(out);
            }
        };
    }

    /** Replaces the graph field at {@code at} (a span of {@link #index}) with {@code field}. */
    public void replace(OnnxGraphIndex.Span at, Field field) {
        put(at, field);
    }

    public void remove(OnnxGraphIndex.Span at) {
        put(at, null);
    }

    public void append(Field field) {
        appended.add(field);
    }

    private void put(OnnxGraphIndex.Span at, Field field) {
        if (edits.put(at.start(), new Edit(at, field)) != null) {
            throw new IllegalStateException("graph field at byte " + at.start() + " edited twice");
        }
    }

    /** Whether the field at {@code at} is already replaced or removed. */
    public boolean edits(OnnxGraphIndex.Span at) {
        return edits.containsKey(at.start());
    }

    public boolean isEmpty() {
        return edits.isEmpty() && appended.isEmpty();
    }

    /** Bytes of the rewritten model. */
    public long size() {
        OnnxGraphIndex.Span graph = index.graph();
        long payload = graphPayloadSize();
        return index.size()
                - (graph.end() - graph.start())
                + CodedOutputStream.computeTagSize(OnnxGraphIndex.MODEL_GRAPH)
                + CodedOutputStream.computeUInt64SizeNoTag(payload)
                + payload;
    }

    private long graphPayloadSize() {
        long payload = index.graph().payloadLength();
        for (Edit e : edits.values()) {
            payload += (e.replacement() == null ? 0 : fieldSize(e.replacement())) - (e.at().end() - e.at().start());
        }
        for (Field f : appended) {
            payload += fieldSize(f);
        }
        return payload;
    }

    private static long fieldSize(Field f) {
        long n = f.payloadSize();
        return CodedOutputStream.computeTagSize(f.number()) + CodedOutputStream.computeUInt64SizeNoTag(n) + n;
    }

    /**
     * Writes the rewritten model into {@code target} from its position, exactly {@link #size()} bytes (the position
     * moves past them).
     *
     * @throws IllegalArgumentException when {@code target} has less room
     */
    public void writeTo(ByteBuffer target) {
        long size = size();
        if (target.remaining() < size) {
            throw new IllegalArgumentException(
                    "rewritten model needs " + size + " bytes, " + target.remaining() + " remain in the target buffer");
        }
        int start = target.position();
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(target);
            write(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (target.position() - start != size) {
            throw new IllegalStateException(
                    "rewritten model: " + (target.position() - start) + " bytes written, " + size + " announced");
        }
    }

    /** Writes the rewritten model to {@code out} (not closed). */
    public void writeTo(OutputStream out) throws IOException {
        CodedOutputStream coded = CodedOutputStream.newInstance(out, 1 << 16);
        write(coded);
        coded.flush();
        if (coded.getTotalBytesWritten() != size()) {
            throw new IllegalStateException(
                    "rewritten model: " + coded.getTotalBytesWritten() + " bytes written, " + size() + " announced");
        }
    }

    private void write(CodedOutputStream out) throws IOException {
        OnnxGraphIndex.Span graph = index.graph();
        copy(out, 0, graph.start());
        out.writeTag(OnnxGraphIndex.MODEL_GRAPH, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt64NoTag(graphPayloadSize());
        int cursor = graph.payloadStart();
        for (Edit e : edits.values()) {
            copy(out, cursor, e.at().start());
            if (e.replacement() != null) {
                writeField(out, e.replacement());
            }
            cursor = e.at().end();
        }
        copy(out, cursor, graph.end());
        for (Field f : appended) {
            writeField(out, f);
        }
        copy(out, graph.end(), index.size());
    }

    private static void writeField(CodedOutputStream out, Field f) throws IOException {
        out.writeTag(f.number(), WireFormat.WIRETYPE_LENGTH_DELIMITED);
        long n = f.payloadSize();
        out.writeUInt64NoTag(n);
        int before = out.getTotalBytesWritten();
        f.writePayload(out);
        if (out.getTotalBytesWritten() - before != n) {
            throw new IllegalStateException("graph field " + f.number() + ": " + (out.getTotalBytesWritten() - before)
                    + " bytes written, " + n + " announced");
        }
    }

    private void copy(CodedOutputStream out, int from, int to) throws IOException {
        if (to > from) {
            out.writeRawBytes(index.bytes(from, to - from));
        }
    }
}

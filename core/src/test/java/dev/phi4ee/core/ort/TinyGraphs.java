package dev.phi4ee.core.ort;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes minimal ONNX files with raw protobuf field numbers (onnx.proto), so the ort package can be tested without
 * the full test kit: {@code y = x + x} over a 1-D tensor with a symbolic length.
 */
final class TinyGraphs {
    private TinyGraphs() {}

    /** {@code y = Add(x, x)}, x and y of the given element type, shape {@code [n]}. */
    static Path doubling(Path dir, ElementType type) {
        byte[] xInfo = valueInfo("x", type.onnxCode(), "n");
        byte[] yInfo = valueInfo("y", type.onnxCode(), "n");
        byte[] node = message(out -> {
            out.writeString(1, "x");
            out.writeString(1, "x");
            out.writeString(2, "y");
            out.writeString(3, "add");
            out.writeString(4, "Add");
        });
        byte[] graph = message(out -> {
            out.writeByteArray(1, node);
            out.writeString(2, "doubling");
            out.writeByteArray(11, xInfo);
            out.writeByteArray(12, yInfo);
        });
        byte[] opset = message(out -> {
            out.writeString(1, "");
            out.writeInt64(2, 17);
        });
        byte[] model = message(out -> {
            out.writeInt64(1, 8);
            out.writeByteArray(7, graph);
            out.writeByteArray(8, opset);
        });
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("doubling-" + type.label() + ".onnx");
            Files.write(file, model);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] valueInfo(String name, int elemType, String dimParam) {
        byte[] dim = message(out -> out.writeString(2, dimParam));
        byte[] shape = message(out -> out.writeByteArray(1, dim));
        byte[] tensorType = message(out -> {
            out.writeInt32(1, elemType);
            out.writeByteArray(2, shape);
        });
        byte[] type = message(out -> out.writeByteArray(1, tensorType));
        return message(out -> {
            out.writeString(1, name);
            out.writeByteArray(2, type);
        });
    }

    private interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Body body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            body.write(out);
            out.flush();
            return ByteString.copyFrom(bytes.toByteArray()).toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

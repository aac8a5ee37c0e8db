package dev.phi4ee.core.ort;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A graph input or output as ONNX Runtime reports it.
 *
 * @param name tensor name
 * @param onnxType element type code (see {@link ElementType}); kept raw so unexpected types can be reported
 * @param shape dimensions, -1 where symbolic
 * @param symbolicDims the symbolic name of each dimension, empty where fixed or unnamed
 */
public record TensorInfo(String name, int onnxType, long[] shape, List<String> symbolicDims) {
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        shape = shape.clone();
        symbolicDims = List.copyOf(symbolicDims);
    }

    public int rank() {
        return shape.length;
    }

    public String typeLabel() {
        return ElementType.labelOf(onnxType);
    }

    /** Shape as {@code [batch_size, 8, past_sequence_length, 128]}: symbolic names where present. */
    public String shapeLabel() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            String sym = i < symbolicDims.size() ? symbolicDims.get(i) : "";
            sb.append(shape[i] >= 0 ? Long.toString(shape[i]) : sym.isEmpty() ? "?" : sym);
        }
        return sb.append(']').toString();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t
                && name.equals(t.name)
                && onnxType == t.onnxType
                && Arrays.equals(shape, t.shape)
                && symbolicDims.equals(t.symbolicDims);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, onnxType, Arrays.hashCode(shape), symbolicDims);
    }

    @Override
    public String toString() {
        return name + ": " + typeLabel() + " " + shapeLabel();
    }
}

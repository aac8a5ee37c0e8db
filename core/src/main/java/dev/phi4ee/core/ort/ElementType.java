package dev.phi4ee.core.ort;

import java.util.Optional;

/**
 * Tensor element types the engine handles. The codes are ONNX {@code TensorProto.DataType} values, which ONNX
 * Runtime's {@code ONNXTensorElementDataType} reuses unchanged.
 */
public enum ElementType {
    FLOAT(1, 4, "float32"),
    UINT8(2, 1, "uint8"),
    INT8(3, 1, "int8"),
    INT32(6, 4, "int32"),
    INT64(7, 8, "int64"),
    BOOL(9, 1, "bool"),
    FLOAT16(10, 2, "float16"),
    DOUBLE(11, 8, "float64");

    private final int onnxCode;
    private final int byteSize;
    private final String label;

    ElementType(int onnxCode, int byteSize, String label) {
        this.onnxCode = onnxCode;
        this.byteSize = byteSize;
        this.label = label;
    }

    public int onnxCode() {
        return onnxCode;
    }

    public int byteSize() {
        return byteSize;
    }

    /** The name used in messages, e.g. {@code float16}. */
    public String label() {
        return label;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT || this == FLOAT16 || this == DOUBLE;
    }

    public static Optional<ElementType> fromOnnxCode(int code) {
        for (ElementType t : values()) {
            if (t.onnxCode == code) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** A label for an ONNX type code, also for codes this enum does not cover. */
    public static String labelOf(int code) {
        return fromOnnxCode(code).map(ElementType::label).orElse("onnx-type-" + code);
    }
}

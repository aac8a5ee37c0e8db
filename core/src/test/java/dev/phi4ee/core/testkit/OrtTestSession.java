package dev.phi4ee.core.testkit;

import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL;
import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16;
import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;
import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_ENABLE_ALL;
import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_LOGGING_LEVEL_ERROR;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtArenaAllocator;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtMemTypeDefault;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.onnxruntime.Env;
import org.bytedeco.onnxruntime.IoBinding;
import org.bytedeco.onnxruntime.LoraAdapter;
import org.bytedeco.onnxruntime.MemoryInfo;
import org.bytedeco.onnxruntime.RunOptions;
import org.bytedeco.onnxruntime.Session;
import org.bytedeco.onnxruntime.SessionOptions;
import org.bytedeco.onnxruntime.TypeInfo;
import org.bytedeco.onnxruntime.Value;
import org.bytedeco.onnxruntime.ValueVector;

/**
 * Test-only ONNX Runtime harness (JavaCPP API) for checking the kit's graphs: one intra-op thread, tensors copied
 * from/to Java arrays through native memory owned by a {@link PointerScope} per run (platform-notes: heap-backed
 * CreateTensor overloads read freed memory; {@code ValueVector.get} moves values out, so each is read once).
 */
final class OrtTestSession implements AutoCloseable {
    private static final Env ENV = new Env(ORT_LOGGING_LEVEL_ERROR, "phi4ee-testkit");
    static final MemoryInfo CPU = MemoryInfo.CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);

    /** A host tensor: float data (float32 or float16 element type), int64 data, or bool data. */
    record Tensor(int elementType, long[] shape, float[] floats, long[] longs, boolean[] bools) {
        static Tensor f32(float[] data, long... shape) {
            return new Tensor(ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, shape, data, null, null);
        }

        static Tensor floats(boolean fp16, float[] data, long... shape) {
            return new Tensor(
                    fp16 ? ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 : ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT,
                    shape,
                    data,
                    null,
                    null);
        }

        static Tensor i64(long[] data, long... shape) {
            return new Tensor(ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64, shape, null, data, null);
        }

        static Tensor bool(boolean[] data, long... shape) {
            return new Tensor(ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL, shape, null, null, data);
        }

        int elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return Math.toIntExact(n);
        }

        /** Copies this tensor into native memory owned by the current scope and wraps it in a Value. */
        Value toValue() {
            int n = elements();
            int width =
                    switch (elementType) {
                        case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> 4;
                        case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> 2;
                        case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> 8;
                        case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> 1;
                        default -> throw new IllegalArgumentException("type " + elementType);
                    };
            BytePointer data = new BytePointer(Math.max(1, (long) n * width));
            ByteBuffer buffer =
                    data.capacity(Math.max(1, (long) n * width)).asByteBuffer().order(ByteOrder.nativeOrder());
            switch (elementType) {
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT ->
                    buffer.asFloatBuffer().put(floats, 0, n);
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 ->
                    buffer.asLongBuffer().put(longs, 0, n);
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> {
                    for (int i = 0; i < n; i++) {
                        buffer.putShort(2 * i, Float.floatToFloat16(floats[i]));
                    }
                }
                default -> {
                    for (int i = 0; i < n; i++) {
                        buffer.put(i, (byte) (bools[i] ? 1 : 0));
                    }
                }
            }
            return Value.CreateTensor(CPU.asOrtMemoryInfo(), data, (long) n * width, shape, shape.length, elementType);
        }

        static Tensor fromValue(Value value) {
            var info = value.GetTensorTypeAndShapeInfo();
            long[] shape = info.GetShape().get();
            int type = info.GetElementType();
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            int count = Math.toIntExact(n);
            switch (type) {
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> {
                    float[] out = new float[count];
                    value.GetTensorMutableDataFloat().capacity(count).get(out);
                    return new Tensor(type, shape, out, null, null);
                }
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> {
                    short[] raw = new short[count];
                    value.GetTensorMutableDataShort().capacity(count).get(raw);
                    float[] out = new float[count];
                    for (int i = 0; i < count; i++) {
                        out[i] = Float.float16ToFloat(raw[i]);
                    }
                    return new Tensor(type, shape, out, null, null);
                }
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> {
                    long[] out = new long[count];
                    value.GetTensorMutableDataLong().capacity(count).get(out);
                    return new Tensor(type, shape, null, out, null);
                }
                default -> throw new IllegalArgumentException("unsupported output type " + type);
            }
        }
    }

    /** Name, element type, shape (−1 where symbolic) and symbolic dim names of a graph input or output. */
    record Port(String name, int elementType, long[] shape, List<String> symbolic) {}

    private final Session session;
    private final SessionOptions options;

    OrtTestSession(Path model) {
        options = new SessionOptions();
        options.SetIntraOpNumThreads(1);
        options.SetInterOpNumThreads(1);
        options.SetGraphOptimizationLevel(ORT_ENABLE_ALL);
        session = new Session(ENV, new BytePointer(model.toString()), options);
    }

    Session session() {
        return session;
    }

    List<Port> inputs() {
        List<Port> ports = new ArrayList<>();
        String[] names = strings(session.GetInputNames().get());
        for (int i = 0; i < names.length; i++) {
            ports.add(port(names[i], session.GetInputTypeInfo(i)));
        }
        return ports;
    }

    List<Port> outputs() {
        List<Port> ports = new ArrayList<>();
        String[] names = strings(session.GetOutputNames().get());
        for (int i = 0; i < names.length; i++) {
            ports.add(port(names[i], session.GetOutputTypeInfo(i)));
        }
        return ports;
    }

    long overridableInitializerCount() {
        return session.GetOverridableInitializerCount();
    }

    private static String[] strings(BytePointer[] pointers) {
        String[] s = new String[pointers.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = pointers[i].getString();
        }
        return s;
    }

    @SuppressWarnings("try") // the PointerScope owns the native memory allocated inside it
    private static Port port(String name, TypeInfo typeInfo) {
        try (PointerScope scope = new PointerScope()) {
            var info = typeInfo.GetTensorTypeAndShapeInfo();
            long[] shape = info.GetShape().get();
            var symbolic = info.GetSymbolicDimensions();
            List<String> params = new ArrayList<>();
            for (int i = 0; i < shape.length; i++) {
                Pointer p = symbolic.get(i);
                params.add(p == null || p.isNull() ? "" : new BytePointer(p).getString());
            }
            return new Port(name, info.GetElementType(), shape, params);
        }
    }

    /** Runs with the given inputs and returns every output, in the graph's output order. */
    Map<String, Tensor> run(Map<String, Tensor> inputs) {
        return run(inputs, null);
    }

    /**
     * Runs through {@code Session::Run} with name/value arrays (not IoBinding) with {@code adapter} active: ONNX
     * Runtime applies RunOptions' active LoRA adapters only on this path; with IoBinding they are silently ignored.
     */
    @SuppressWarnings("try") // the PointerScope owns the native memory allocated inside it
    Map<String, Tensor> runWithAdapter(Map<String, Tensor> inputs, LoraAdapter adapter) {
        try (PointerScope scope = new PointerScope();
                RunOptions runOptions = new RunOptions()) {
            runOptions.AddActiveLoraAdapter(adapter);
            List<String> inNames = new ArrayList<>(inputs.keySet());
            Value values = new Value(inNames.size());
            for (int i = 0; i < inNames.size(); i++) {
                values.position(i).put(inputs.get(inNames.get(i)).toValue());
            }
            values.position(0);
            List<String> outNames = outputs().stream().map(Port::name).toList();
            ValueVector out = session.Run(
                    runOptions,
                    new org.bytedeco.javacpp.PointerPointer<>(inNames.toArray(String[]::new)),
                    values,
                    inNames.size(),
                    new org.bytedeco.javacpp.PointerPointer<>(outNames.toArray(String[]::new)),
                    outNames.size());
            Map<String, Tensor> result = new LinkedHashMap<>();
            for (int i = 0; i < outNames.size(); i++) {
                result.put(outNames.get(i), Tensor.fromValue(out.get(i)));
            }
            return result;
        }
    }

    /** As {@link #run(Map)} with {@code adapter} (may be null) active for this run. */
    @SuppressWarnings("try") // the PointerScope owns the native memory allocated inside it
    Map<String, Tensor> run(Map<String, Tensor> inputs, LoraAdapter adapter) {
        try (PointerScope scope = new PointerScope();
                IoBinding binding = new IoBinding(session);
                RunOptions runOptions = new RunOptions()) {
            if (adapter != null) {
                runOptions.AddActiveLoraAdapter(adapter);
            }
            for (var e : inputs.entrySet()) {
                binding.BindInput(e.getKey(), e.getValue().toValue());
            }
            List<String> names = outputs().stream().map(Port::name).toList();
            for (String name : names) {
                binding.BindOutput(name, CPU.asOrtMemoryInfo());
            }
            session.Run(runOptions, binding);
            ValueVector values = binding.GetOutputValues();
            Map<String, Tensor> result = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                result.put(names.get(i), Tensor.fromValue(values.get(i)));
            }
            return result;
        }
    }

    /**
     * Runs with {@code inputs} bound normally and each {@code shared} value bound both as the input of its name and
     * as the output named by {@code outputNameOf} (past/present shared buffer, reference §4.3). Returns the outputs
     * listed in {@code read}, each bound to CPU memory.
     */
    @SuppressWarnings("try") // the PointerScope owns the native memory allocated inside it
    Map<String, Tensor> runShared(
            Map<String, Tensor> inputs,
            Map<String, NativeTensor> shared,
            java.util.function.UnaryOperator<String> outputNameOf,
            List<String> read) {
        try (PointerScope scope = new PointerScope();
                IoBinding binding = new IoBinding(session);
                RunOptions runOptions = new RunOptions()) {
            for (var e : inputs.entrySet()) {
                binding.BindInput(e.getKey(), e.getValue().toValue());
            }
            for (String name : read) {
                binding.BindOutput(name, CPU.asOrtMemoryInfo());
            }
            for (var e : shared.entrySet()) {
                // The JavaCPP binding consumes the Value passed to BindInput/BindOutput (it is null afterwards), so
                // each binding gets its own Value over the same native buffer.
                binding.BindInput(e.getKey(), e.getValue().newValue());
                binding.BindOutput(outputNameOf.apply(e.getKey()), e.getValue().newValue());
            }
            session.Run(runOptions, binding);
            ValueVector values = binding.GetOutputValues();
            Map<String, Tensor> result = new LinkedHashMap<>();
            for (int i = 0; i < read.size(); i++) {
                result.put(read.get(i), Tensor.fromValue(values.get(i)));
            }
            return result;
        }
    }

    /**
     * Loads an {@code .onnx_adapter} file for CPU use; the caller closes it. The JavaCPP
     * {@code LoraAdapter.CreateLoraAdapter(Pointer, …)} expects a native {@code std::basic_string} object, not
     * characters (a BytePointer path crashes the JVM), so the bytes go through {@code CreateLoraAdapterFromArray},
     * which copies them.
     */
    static LoraAdapter loadAdapter(Path file) {
        byte[] bytes;
        try {
            bytes = java.nio.file.Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (BytePointer data = new BytePointer(bytes)) {
            return LoraAdapter.CreateLoraAdapterFromArray(data, bytes.length, null);
        }
    }

    /** A zero-filled tensor on native memory owned by the caller; {@link #newValue} wraps it without copying. */
    record NativeTensor(BytePointer data, long bytes, long[] shape, int elementType) implements AutoCloseable {
        static NativeTensor zeros(int elementType, int elementBytes, long... shape) {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            BytePointer data = new BytePointer(n * elementBytes);
            data.fill(0);
            return new NativeTensor(data, n * elementBytes, shape, elementType);
        }

        Value newValue() {
            return Value.CreateTensor(CPU.asOrtMemoryInfo(), data, bytes, shape, shape.length, elementType);
        }

        @Override
        public void close() {
            data.close();
        }
    }

    @Override
    public void close() {
        session.close();
        options.close();
    }
}

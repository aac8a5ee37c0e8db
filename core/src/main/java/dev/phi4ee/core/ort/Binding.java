package dev.phi4ee.core.ort;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.onnxruntime.IoBinding;
import org.bytedeco.onnxruntime.OrtIoBinding;
import org.bytedeco.onnxruntime.Session;

/**
 * An IoBinding: inputs and outputs bound to {@link Tensor}s once and reused across runs. Binding the same tensor as
 * an input and an output is how the shared past/present KV buffer works (GroupQueryAttention sees equal pointers).
 * The binding keeps every bound tensor reachable until it is rebound, cleared or the binding is closed; it does not
 * close them (their owner does).
 *
 * <p>Binding goes through the C API ({@code OrtApi::BindInput/BindOutput} with raw {@code OrtValue*}): the JavaCPP
 * C++ wrappers {@code IoBinding.BindInput(String, Value)} pass the {@code Value} through an adapter that replaces the
 * Java object's native address with a fresh copy on every call (measured here: the address changes per call, and a
 * copy made inside a PointerScope is freed with it, after which the next bind crashed the JVM).
 */
public final class Binding implements AutoCloseable {
    static {
        JavaCppDefaults.apply(); // before any JavaCPP class is initialised
    }

    private final OrtSession owner;
    private final Map<String, Tensor> inputs = new HashMap<>();
    private final Map<String, Tensor> outputs = new HashMap<>();
    private IoBinding io;
    private OrtIoBinding raw;

    Binding(OrtSession owner, Session session) {
        this.owner = owner;
        this.io = NativeScope.owned(new IoBinding(session)); // may be created inside a step's scope
        this.raw = io.asOrtIoBinding();
    }

    public Binding input(String name, Tensor tensor) {
        io();
        OnnxRuntime.check(
                OnnxRuntime.api().BindInput(raw, name, tensor.ortValue()),
                () -> owner.file().getFileName() + ": cannot bind input " + name);
        inputs.put(name, tensor);
        return this;
    }

    public Binding output(String name, Tensor tensor) {
        io();
        OnnxRuntime.check(
                OnnxRuntime.api().BindOutput(raw, name, tensor.ortValue()),
                () -> owner.file().getFileName() + ": cannot bind output " + name);
        outputs.put(name, tensor);
        return this;
    }

    public Tensor boundInput(String name) {
        return inputs.get(name);
    }

    public Tensor boundOutput(String name) {
        return outputs.get(name);
    }

    public void clear() {
        io().ClearBoundInputs();
        io().ClearBoundOutputs();
        inputs.clear();
        outputs.clear();
    }

    OrtIoBinding rawBinding() {
        io();
        return raw;
    }

    void checkOwner(OrtSession session) {
        if (session != owner) {
            throw new IllegalArgumentException("binding belongs to " + owner + ", not " + session);
        }
    }

    private IoBinding io() {
        if (io == null) {
            throw new IllegalStateException("binding is closed");
        }
        return io;
    }

    @Override
    public void close() {
        if (io != null) {
            io.close();
            io = null;
            raw = null;
            inputs.clear();
            outputs.clear();
        }
    }
}

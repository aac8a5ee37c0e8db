package dev.phi4ee.core.ort;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.onnxruntime.IoBinding;
import org.bytedeco.onnxruntime.Session;

/**
 * An IoBinding: inputs and outputs bound to {@link Tensor}s once and reused across runs. Binding the same tensor as
 * an input and an output is how the shared past/present KV buffer works (GroupQueryAttention sees equal pointers).
 * The binding keeps every bound tensor reachable until it is rebound, cleared or the binding is closed; it does not
 * close them (their owner does).
 */
public final class Binding implements AutoCloseable {
    private final OrtSession owner;
    private final Map<String, Tensor> inputs = new HashMap<>();
    private final Map<String, Tensor> outputs = new HashMap<>();
    private IoBinding io;

    Binding(OrtSession owner, Session session) {
        this.owner = owner;
        this.io = new IoBinding(session);
    }

    public Binding input(String name, Tensor tensor) {
        try {
            io().BindInput(name, tensor.value());
        } catch (RuntimeException e) {
            throw new OrtFailure(owner.file().getFileName() + ": cannot bind input " + name + ": " + e.getMessage(), e);
        }
        inputs.put(name, tensor);
        return this;
    }

    public Binding output(String name, Tensor tensor) {
        try {
            io().BindOutput(name, tensor.value());
        } catch (RuntimeException e) {
            throw new OrtFailure(
                    owner.file().getFileName() + ": cannot bind output " + name + ": " + e.getMessage(), e);
        }
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

    IoBinding ioBinding() {
        return io();
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
            inputs.clear();
            outputs.clear();
        }
    }
}

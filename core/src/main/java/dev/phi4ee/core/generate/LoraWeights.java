package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.model.lora.LoraRankPlan;
import dev.phi4ee.core.model.onnx.OnnxAdapterFormat;
import dev.phi4ee.core.ort.Binding;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * One adapter's tensors (already fitted to the decoder's LoRA rank, reference §5.4 c) in host memory owned here,
 * to bind as the decoder's LoRA inputs. Binding them is how an adapter reaches an IoBinding run: ONNX Runtime applies
 * RunOptions' active adapters only in {@code Session::Run}, and silently ignores them in {@code RunWithBinding}.
 */
public final class LoraWeights implements AutoCloseable {
    private final String name;
    private final List<String> names;
    private final List<Tensor> tensors;

    private LoraWeights(String name, List<String> names, List<Tensor> tensors) {
        this.name = name;
        this.names = List.copyOf(names);
        this.tensors = List.copyOf(tensors);
    }

    /** Loads the padded bytes of {@code adapter}, or its file when it fits as it is. */
    public static LoraWeights load(LoraRankPlan.FittedAdapter adapter) {
        String source = adapter.file().getFileName().toString();
        byte[] bytes;
        try {
            bytes = adapter.isPadded() ? adapter.paddedBytes() : Files.readAllBytes(adapter.file());
        } catch (IOException e) {
            throw new ModelFormatException(source + ": cannot read LoRA adapter: " + e, e);
        }
        List<String> names = new ArrayList<>();
        List<Tensor> tensors = new ArrayList<>();
        try {
            for (OnnxAdapterFormat.Parameter p : OnnxAdapterFormat.decode(bytes).parameters()) {
                ElementType type = ElementType.fromOnnxCode(p.dataType())
                        .orElseThrow(() -> new ModelFormatException(
                                source + ": parameter " + p.name() + ": unsupported type " + p.dataType()));
                Tensor t = Tensor.allocate(type, p.dims());
                tensors.add(t);
                t.buffer().put(0, p.data());
                names.add(p.name());
            }
        } catch (RuntimeException e) {
            tensors.forEach(Tensor::close);
            throw e;
        }
        return new LoraWeights(source, names, tensors);
    }

    /** Binds every tensor as the decoder input of the same name. */
    public void bindTo(Binding binding) {
        for (int i = 0; i < names.size(); i++) {
            binding.input(names.get(i), tensors.get(i));
        }
    }

    /** The LoRA input names this adapter sets (a run without it must leave them unbound). */
    public List<String> inputNames() {
        return names;
    }

    @Override
    public void close() {
        tensors.forEach(Tensor::close);
    }

    @Override
    public String toString() {
        return name + " (" + names.size() + " LoRA tensors)";
    }
}

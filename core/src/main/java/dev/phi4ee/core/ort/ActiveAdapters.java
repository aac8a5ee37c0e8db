package dev.phi4ee.core.ort;

import java.util.List;
import org.bytedeco.onnxruntime.RunOptions;

/**
 * Run options with a fixed set of LoRA adapters active (ONNX Runtime multi-LoRA: adapter tensors are fed as the
 * graph's overridable LoRA inputs for each run). Create once per adapter combination and reuse for every run.
 */
public final class ActiveAdapters implements AutoCloseable {
    private final List<LoraAdapterFile> adapters;
    private RunOptions runOptions;

    public ActiveAdapters(List<LoraAdapterFile> adapters) {
        this.adapters = List.copyOf(adapters);
        RunOptions ro = new RunOptions();
        for (LoraAdapterFile a : this.adapters) {
            // C API: the C++ wrapper takes the adapter through a copying adapter (see Binding).
            OnnxRuntime.check(
                    OnnxRuntime.api()
                            .RunOptionsAddActiveLoraAdapter(
                                    ro.asOrtRunOptions(), a.adapter().asOrtLoraAdapter()),
                    () -> "cannot activate LoRA adapter " + a.file().getFileName());
        }
        this.runOptions = ro;
    }

    public List<LoraAdapterFile> adapters() {
        return adapters;
    }

    RunOptions runOptions() {
        if (runOptions == null) {
            throw new IllegalStateException("closed");
        }
        return runOptions;
    }

    @Override
    public void close() {
        if (runOptions != null) {
            runOptions.close();
            runOptions = null;
        }
    }
}

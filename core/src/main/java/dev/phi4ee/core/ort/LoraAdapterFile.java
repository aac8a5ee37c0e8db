package dev.phi4ee.core.ort;

import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.onnxruntime.LoraAdapter;

/** An ONNX Runtime adapter-format file ({@code .onnx_adapter}) loaded into host memory. */
public final class LoraAdapterFile implements AutoCloseable {
    private final Path file;
    private LoraAdapter adapter;

    private LoraAdapterFile(Path file, LoraAdapter adapter) {
        this.file = file;
        this.adapter = adapter;
    }

    public static LoraAdapterFile load(Path file) {
        OnnxRuntime.initialize();
        try (BytePointer path = new BytePointer(file.toAbsolutePath().toString())) {
            return new LoraAdapterFile(file, LoraAdapter.CreateLoraAdapter(path, null));
        } catch (RuntimeException e) {
            throw new OrtFailure(file.getFileName() + ": cannot load LoRA adapter: " + e.getMessage(), e);
        }
    }

    /** Loads an adapter from bytes (e.g. one zero-padded in memory to fit the graph's LoRA rank). */
    public static LoraAdapterFile fromBytes(Path origin, byte[] bytes) {
        OnnxRuntime.initialize();
        try (BytePointer data = new BytePointer(bytes)) {
            return new LoraAdapterFile(origin, LoraAdapter.CreateLoraAdapterFromArray(data, bytes.length, null));
        } catch (RuntimeException e) {
            throw new OrtFailure(origin.getFileName() + ": cannot load LoRA adapter: " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    LoraAdapter adapter() {
        if (adapter == null) {
            throw new IllegalStateException("adapter " + file.getFileName() + " is closed");
        }
        return adapter;
    }

    @Override
    public void close() {
        if (adapter != null) {
            adapter.close();
            adapter = null;
        }
    }
}

package dev.phi4ee.core.ort;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.bytedeco.javacpp.Loader;

/**
 * Why the CUDA provider library cannot load. ONNX Runtime only logs the dynamic loader's error and returns
 * "OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library" (onnxruntime
 * provider_bridge_ort.cc); loading the same file ourselves gets the loader's message, which names the missing
 * library ("…/libonnxruntime_providers_cuda.so: libcublasLt.so.13: cannot open shared object file: …").
 */
final class CudaProviderProbe {
    static final String PROVIDER = "libonnxruntime_providers_cuda.so";

    private CudaProviderProbe() {}

    /** The loader's error for the provider next to the loaded ONNX Runtime library; empty when it loads or on non-Linux. */
    static Optional<String> loadError() {
        Optional<Path> ort = Loader.getLoadedLibraries().values().stream()
                .filter(p -> p != null && p.endsWith("/libonnxruntime.so.1"))
                .map(Path::of)
                .findFirst();
        if (ort.isEmpty()) {
            return Optional.empty();
        }
        Path lib = ort.get().resolveSibling(PROVIDER);
        if (!Files.isRegularFile(lib)) {
            return Optional.of(lib + ": cannot open shared object file: No such file or directory");
        }
        try {
            System.load(lib.toString()); // ONNX Runtime dlopens the same file later: no second copy
            return Optional.empty();
        } catch (UnsatisfiedLinkError e) {
            return Optional.ofNullable(e.getMessage());
        }
    }
}

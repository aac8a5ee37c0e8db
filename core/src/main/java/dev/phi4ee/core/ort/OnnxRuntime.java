package dev.phi4ee.core.ort;

import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_LOGGING_LEVEL_ERROR;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtArenaAllocator;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtMemTypeDefault;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.onnxruntime.Env;
import org.bytedeco.onnxruntime.MemoryInfo;
import org.bytedeco.onnxruntime.OrtApi;
import org.bytedeco.onnxruntime.OrtStatus;

/**
 * The process-wide ONNX Runtime environment. ONNX Runtime allows one {@code OrtEnv} per process and every session
 * must not outlive it, so it is created once, on first use, and lives as long as the JVM (its few hundred bytes are
 * not worth a reference count that a late session could race). Its log level is ERROR: ONNX Runtime warns about
 * every LoRA initializer exposed as a graph input, which is exactly how the release wires its adapters (§5.1).
 */
public final class OnnxRuntime {
    static {
        JavaCppDefaults.apply(); // before any JavaCPP class is initialised
    }

    private static final class Holder {
        static final Env ENV = new Env(ORT_LOGGING_LEVEL_ERROR, "phi4ee");
        static final MemoryInfo CPU = MemoryInfo.CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
        static final OrtApi API = org.bytedeco.onnxruntime.global.onnxruntime.GetApi();
    }

    private OnnxRuntime() {}

    static Env env() {
        return Holder.ENV;
    }

    static MemoryInfo cpuMemory() {
        return Holder.CPU;
    }

    static OrtApi api() {
        return Holder.API;
    }

    /** Throws {@link OrtFailure} with ONNX Runtime's message when a C API call returned an error status. */
    static void check(OrtStatus status, java.util.function.Supplier<String> what) {
        if (status == null || status.isNull()) {
            return;
        }
        String message;
        try {
            message = api().GetErrorMessage().call(status).getString();
        } finally {
            api().ReleaseStatus(status);
        }
        throw new OrtFailure(what.get() + ": " + message, null);
    }

    /** Loads the natives and creates the environment now (takes ~0.5 s the first time). */
    public static void initialize() {
        env();
        cpuMemory();
    }

    /** Resident set size of this process as JavaCPP measures it (for native-memory tests and diagnostics). */
    public static long physicalBytes() {
        return Pointer.physicalBytes();
    }

    /**
     * JavaCPP's {@code maxPhysicalBytes} (0 = none): once the process's resident memory is above it, every JavaCPP
     * allocation first runs the garbage collector for a second and then fails with "Physical memory usage is too
     * high". JavaCPP's default is 4 × the maximum heap; this library sets 0 unless the user set it ({@link JavaCppDefaults}).
     */
    public static long maxPhysicalBytes() {
        return Pointer.maxPhysicalBytes();
    }

    /** Native bytes JavaCPP currently tracks as allocated through its own deallocators. */
    public static long trackedNativeBytes() {
        return Pointer.totalBytes();
    }

    /** Execution providers compiled into the loaded natives. Lists CUDA even where it cannot load. */
    public static java.util.List<String> compiledProviders() {
        var v = org.bytedeco.onnxruntime.global.onnxruntime.GetAvailableProviders();
        try {
            java.util.List<String> out = new java.util.ArrayList<>();
            for (long i = 0; i < v.size(); i++) {
                out.add(v.get(i).getString());
            }
            return out;
        } finally {
            v.close();
        }
    }
}

package dev.phi4ee.core.ort;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CUDA execution provider could not be used, classified from ONNX Runtime's message so that a driver or library
 * problem does not read like a broken model. The message shapes are ONNX Runtime's own: the provider bridge's
 * {@code "Failed to load library <lib> with error: <dlerror>"} (onnxruntime core/platform/posix/env.cc) and the
 * CUDA EP's {@code "CUDA failure <code>: <cudaGetErrorString> ; GPU=..."} (onnxruntime
 * core/providers/cuda/cuda_call.cc), with the CUDA runtime's error codes (cudaError_t).
 */
public final class ExecutionProviderFailure extends OrtFailure {
    private static final long serialVersionUID = 1L;

    /** Why CUDA cannot be used. */
    public enum Reason {
        /** A shared library is missing (named by {@link #missingLibrary()}): natives built without CUDA, cuBLAS or cuDNN not installed. */
        MISSING_LIBRARY(true),
        /** No NVIDIA driver, or one older than the CUDA 13 runtime needs (>= 580). */
        DRIVER(true),
        /** No CUDA device, or not the device ordinal asked for, or all devices busy. */
        NO_DEVICE(true),
        /** Anything else (device memory, a kernel, this graph): may not recur for another session. */
        OTHER(false);

        private final boolean hostWide;

        Reason(boolean hostWide) {
            this.hostWide = hostWide;
        }

        /** The same failure would happen for every session of this process: {@code auto} stops trying CUDA. */
        public boolean hostWide() {
            return hostWide;
        }
    }

    // dlerror(): "[<path of the library being loaded>: ]<missing library>: cannot open shared object file: ..."
    private static final Pattern DLOPEN = Pattern.compile("([^/:\\s]+): cannot open shared object file");
    // the CPU natives' answer to CreateCUDAProviderOptions (onnxruntime provider_bridge_ort.cc CreateNotEnabledStatus)
    private static final String NOT_IN_THIS_BUILD = "CUDA execution provider is not enabled in this build";
    private static final Pattern CUDA_CALL = Pattern.compile("CUDA failure (\\d+):");
    private static final int CUDA_ERROR_STUB_LIBRARY = 34;
    private static final int CUDA_ERROR_INSUFFICIENT_DRIVER = 35;
    private static final int CUDA_ERROR_DEVICES_UNAVAILABLE = 46;
    private static final int CUDA_ERROR_NO_DEVICE = 100;
    private static final int CUDA_ERROR_INVALID_DEVICE = 101;
    private static final int CUDA_ERROR_SYSTEM_DRIVER_MISMATCH = 803;

    private final Reason reason;
    private final String missingLibrary;
    private final int device;

    private ExecutionProviderFailure(String message, Reason reason, String missingLibrary, int device, Throwable e) {
        super(message, e);
        this.reason = reason;
        this.missingLibrary = missingLibrary;
        this.device = device;
    }

    /**
     * Classifies {@code ort}, ONNX Runtime's message (with the dynamic loader's, when known) for failure {@code e} to
     * create a session for {@code file} on CUDA device {@code device}; {@code strict}: no CPU fallback was allowed.
     */
    public static ExecutionProviderFailure classify(
            int device, String file, boolean strict, String ort, RuntimeException e) {
        Reason reason = Reason.OTHER;
        String library = null;
        String explanation;
        Matcher dl = DLOPEN.matcher(ort == null ? "" : ort);
        Matcher cuda = CUDA_CALL.matcher(ort == null ? "" : ort);
        if (ort != null && ort.contains(NOT_IN_THIS_BUILD)) {
            library = CudaProviderProbe.PROVIDER;
            reason = Reason.MISSING_LIBRARY;
            explanation =
                    "these ONNX Runtime natives are the CPU build (resolve with -Djavacpp.platform.extension=-gpu)";
        } else if (dl.find()) {
            library = dl.group(1);
            reason = library.startsWith("libcuda.so") ? Reason.DRIVER : Reason.MISSING_LIBRARY;
            explanation = library.startsWith("libcuda.so")
                    ? "the NVIDIA driver is not installed (" + library + " not found)"
                    : "shared library " + library + " is missing" + hint(library);
        } else if (cuda.find()) {
            int code = Integer.parseInt(cuda.group(1));
            switch (code) {
                case CUDA_ERROR_INSUFFICIENT_DRIVER, CUDA_ERROR_STUB_LIBRARY, CUDA_ERROR_SYSTEM_DRIVER_MISMATCH -> {
                    reason = Reason.DRIVER;
                    explanation =
                            "the NVIDIA driver is missing or too old for CUDA 13 (driver >= 580 needed; CUDA error "
                                    + code + ")";
                }
                case CUDA_ERROR_NO_DEVICE, CUDA_ERROR_INVALID_DEVICE, CUDA_ERROR_DEVICES_UNAVAILABLE -> {
                    reason = Reason.NO_DEVICE;
                    explanation = "no usable CUDA device " + device + " (CUDA error " + code + ")";
                }
                default -> explanation = "CUDA error " + code;
            }
        } else {
            explanation = "ONNX Runtime refused the provider";
        }
        String message = "CUDA execution provider (device " + device + ") cannot be used for " + file + ": "
                + explanation + (strict ? " (strict execution provider: no CPU fallback)" : "") + ". ONNX Runtime: "
                + firstLine(ort == null ? "(no message)" : ort);
        return new ExecutionProviderFailure(message, reason, library, device, e);
    }

    private static String hint(String library) {
        String name = library.toLowerCase(Locale.ROOT);
        if (name.startsWith("libonnxruntime_providers_cuda")) {
            return " (these ONNX Runtime natives are the CPU build: resolve with -Djavacpp.platform.extension=-gpu)";
        }
        if (name.startsWith("libcublas") || name.startsWith("libcudnn")) {
            return " (install NVIDIA's cuBLAS 13 and cuDNN 9 for CUDA 13 on the host: README, GPU)";
        }
        if (name.startsWith("libcu") || name.startsWith("libnv")) {
            return " (the CUDA 13 runtime jar org.bytedeco:cuda-redist, which -Djavacpp.platform.extension=-gpu brings,"
                    + " is not on the class path)";
        }
        return "";
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    public Reason reason() {
        return reason;
    }

    /** The shared library the loader could not find, for {@link Reason#MISSING_LIBRARY} (and a missing driver). */
    public Optional<String> missingLibrary() {
        return Optional.ofNullable(missingLibrary);
    }

    public int device() {
        return device;
    }
}

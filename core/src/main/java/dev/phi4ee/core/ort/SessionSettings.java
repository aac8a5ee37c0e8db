package dev.phi4ee.core.ort;

import java.util.Objects;

/**
 * How a session is created.
 *
 * @param executionProvider {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N}
 * @param strict a CUDA request that cannot be honoured fails instead of falling back to the CPU
 * @param intraOpThreads 0 = ONNX Runtime default (one per physical core)
 * @param optimization graph optimisation level
 * @param cuda the CUDA provider's options (used only when CUDA is tried)
 */
public record SessionSettings(
        String executionProvider,
        boolean strict,
        int intraOpThreads,
        Optimization optimization,
        CudaProviderOptions cuda) {

    /** ONNX Runtime graph optimisation levels. */
    public enum Optimization {
        DISABLED(0),
        BASIC(1),
        EXTENDED(2),
        ALL(99);

        final int ortLevel;

        Optimization(int ortLevel) {
            this.ortLevel = ortLevel;
        }
    }

    public SessionSettings {
        Objects.requireNonNull(executionProvider, "executionProvider");
        Objects.requireNonNull(optimization, "optimization");
        Objects.requireNonNull(cuda, "cuda");
        if (!executionProvider.matches("auto|cpu|cuda(:\\d+)?")) {
            throw new IllegalArgumentException(
                    "executionProvider must be auto, cpu, cuda or cuda:N, was " + executionProvider);
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0, was " + intraOpThreads);
        }
    }

    /** Settings with the default CUDA provider options ({@link CudaProviderOptions#DEFAULT}). */
    public SessionSettings(String executionProvider, boolean strict, int intraOpThreads, Optimization optimization) {
        this(executionProvider, strict, intraOpThreads, optimization, CudaProviderOptions.DEFAULT);
    }

    /** These settings with other CUDA provider options. */
    public SessionSettings withCuda(CudaProviderOptions options) {
        return new SessionSettings(executionProvider, strict, intraOpThreads, optimization, options);
    }

    public static SessionSettings cpu(int intraOpThreads) {
        return new SessionSettings("cpu", false, intraOpThreads, Optimization.ALL);
    }

    /** CUDA device ordinal asked for, or -1 when only the CPU is wanted. */
    public int cudaDevice() {
        if (executionProvider.equals("cpu")) {
            return -1;
        }
        int colon = executionProvider.indexOf(':');
        return colon < 0 ? 0 : Integer.parseInt(executionProvider.substring(colon + 1));
    }
}

package dev.phi4ee.core.ort;

import java.util.Optional;

/**
 * Whether {@code auto} still tries CUDA in this process. Only a failure every later session would hit too (missing
 * library, driver, no device: {@link ExecutionProviderFailure.Reason#hostWide()}) stops it; after any other failure
 * (device memory, one graph) the next session tries CUDA again.
 */
final class CudaAvailability {
    private volatile ExecutionProviderFailure hostWide;

    boolean worthTrying() {
        return hostWide == null;
    }

    /** Records {@code failure}; true when it is the first host-wide one (auto stops trying from now on). */
    synchronized boolean failed(ExecutionProviderFailure failure) {
        if (hostWide == null && failure.reason().hostWide()) {
            hostWide = failure;
            return true;
        }
        return false;
    }

    /** The failure that made {@code auto} stop trying CUDA, if any. */
    Optional<ExecutionProviderFailure> hostWideFailure() {
        return Optional.ofNullable(hostWide);
    }
}

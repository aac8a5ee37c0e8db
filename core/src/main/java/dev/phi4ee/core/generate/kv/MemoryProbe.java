package dev.phi4ee.core.generate.kv;

import java.util.Optional;

/**
 * What the memory where the KV cache will live looks like once the model is loaded; injectable so the plan can be
 * tested for hosts and GPUs that are not there ({@link #system()} in production).
 */
public interface MemoryProbe {
    /** A CUDA device's total and free bytes now; {@code source} names the query. */
    record Device(long totalBytes, long freeBytes, String source) {}

    /**
     * The host.
     *
     * @param physicalBytes physical memory, or the container's limit when lower
     * @param processBytes what this process holds (resident memory) plus the Java heap it may still grow to
     * @param residentLimitBytes resident memory above which JavaCPP refuses allocations ({@code maxPhysicalBytes}),
     *     0 = none
     */
    record Host(long physicalBytes, long processBytes, long residentLimitBytes) {}

    /** CUDA device {@code ordinal}, or empty when its memory cannot be read. */
    Optional<Device> cuda(int ordinal);

    Host host();

    /** This machine: {@code cudaMemGetInfo} or {@code nvidia-smi}, the OS's physical memory, this process. */
    static MemoryProbe system() {
        return SystemMemoryProbe.INSTANCE;
    }
}

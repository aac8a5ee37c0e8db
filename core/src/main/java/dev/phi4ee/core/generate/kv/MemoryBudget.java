package dev.phi4ee.core.generate.kv;

import static dev.phi4ee.core.api.KvCachePlan.formatBytes;

import dev.phi4ee.core.api.EngineOptions;
import java.util.Locale;

/**
 * The bytes the KV cache may take, and where that number came from (docs/decisions/runtime-kv-memory-plan.md):
 *
 * <ul>
 *   <li>{@code kvCacheBytes} when set;
 *   <li>CUDA: {@code gpuMemoryUtilization × total − in use}, measured once the model is loaded (vLLM's rule: the
 *       weights, the CUDA context and other processes are in use; the rest of the share is the cache, the remaining
 *       share the working memory). {@link #UNKNOWN_DEVICE_BYTES} when the device's memory cannot be read;
 *   <li>host: {@code hostMemoryUtilization × physical − this process} (resident memory after loading plus the Java
 *       heap it may still grow to), and at most 90 % of JavaCPP's resident-memory limit minus the process.
 * </ul>
 *
 * @param utilizationOption the option that scales the budget ({@code kvCacheBytes} when it was given)
 */
public record MemoryBudget(long bytes, String source, String utilizationOption) {
    /** Budget when a CUDA device's memory cannot be read: fits beside the release's weights on a 12 GB GPU. */
    public static final long UNKNOWN_DEVICE_BYTES = 4L << 30;

    /**
     * @param cudaDevice the CUDA ordinal the cache lives on, or -1 for host memory
     */
    public static MemoryBudget resolve(EngineOptions options, int cudaDevice, MemoryProbe probe) {
        if (options.kvCacheBytes() > 0) {
            return new MemoryBudget(options.kvCacheBytes(), "kvCacheBytes", "kvCacheBytes");
        }
        if (cudaDevice >= 0) {
            String device = "cuda:" + cudaDevice;
            double share = options.gpuMemoryUtilization();
            return probe.cuda(cudaDevice)
                    .map(d -> {
                        long inUse = d.totalBytes() - d.freeBytes();
                        return new MemoryBudget(
                                Math.max(0, (long) (share * d.totalBytes()) - inUse),
                                String.format(
                                        Locale.ROOT,
                                        "gpuMemoryUtilization %.2f × %s of %s − %s in use (%s)",
                                        share,
                                        formatBytes(d.totalBytes()),
                                        device,
                                        formatBytes(inUse),
                                        d.source()),
                                "gpuMemoryUtilization");
                    })
                    .orElseGet(() -> new MemoryBudget(
                            UNKNOWN_DEVICE_BYTES,
                            "a fixed default: the memory of " + device + " cannot be read (no CUDA presets, no"
                                    + " nvidia-smi); set kvCacheBytes",
                            "kvCacheBytes"));
        }
        MemoryProbe.Host h = probe.host();
        double share = options.hostMemoryUtilization();
        long bytes = (long) (share * h.physicalBytes()) - h.processBytes();
        String source = String.format(
                Locale.ROOT,
                "hostMemoryUtilization %.2f × %s − %s held by this process",
                share,
                formatBytes(h.physicalBytes()),
                formatBytes(h.processBytes()));
        String option = "hostMemoryUtilization";
        long javacpp = h.residentLimitBytes() > 0 ? (long) (0.9 * h.residentLimitBytes()) - h.processBytes() : bytes;
        if (javacpp < bytes) {
            bytes = javacpp;
            source = "90% of JavaCPP's maxPhysicalBytes " + formatBytes(h.residentLimitBytes())
                    + " (-Dorg.bytedeco.javacpp.maxPhysicalBytes; 0 or unset lifts it) − "
                    + formatBytes(h.processBytes()) + " held by this process";
            option = "-Dorg.bytedeco.javacpp.maxPhysicalBytes";
        }
        return new MemoryBudget(Math.max(0, bytes), source, option);
    }
}

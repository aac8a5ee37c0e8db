package dev.phi4ee.samples.cli;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.KvCacheMode;
import picocli.CommandLine.Option;

/**
 * The KV cache options of every command that opens an engine: the window and slots, or the memory budget the engine
 * sizes them from (docs/decisions/runtime-kv-memory-plan.md). Unset, the engine's defaults apply.
 */
final class KvCacheOptions {
    @Option(
            names = "--max-length",
            defaultValue = "0",
            description = "context window; 0 = the largest the KV memory budget allows (default: ${DEFAULT-VALUE})")
    int maxLength;

    @Option(
            names = "--max-batch-size",
            defaultValue = "8",
            description = "most requests decoded together; the KV budget may allow fewer (default: ${DEFAULT-VALUE})")
    int maxBatchSize;

    @Option(names = "--kv-cache", defaultValue = "AUTO", description = "AUTO, SHARED_BUFFER or GROWING")
    KvCacheMode kvCacheMode;

    @Option(
            names = "--kv-cache-bytes",
            paramLabel = "BYTES",
            description = "KV cache budget, e.g. 8g or 512m; default: from the memory utilization")
    String kvCacheBytes;

    @Option(
            names = "--gpu-memory-utilization",
            defaultValue = "" + EngineOptions.DEFAULT_GPU_MEMORY_UTILIZATION,
            description = "share of a CUDA device's memory the engine may fill (default: ${DEFAULT-VALUE})")
    double gpuMemoryUtilization;

    @Option(
            names = "--host-memory-utilization",
            defaultValue = "" + EngineOptions.DEFAULT_HOST_MEMORY_UTILIZATION,
            description = "share of the host's memory the process may fill (default: ${DEFAULT-VALUE})")
    double hostMemoryUtilization;

    /** @throws IllegalArgumentException naming the option when a value is invalid */
    EngineOptions.Builder applyTo(EngineOptions.Builder b) {
        return b.maxLength(maxLength)
                .maxBatchSize(maxBatchSize)
                .kvCacheMode(kvCacheMode)
                .kvCacheBytes(kvCacheBytes == null ? 0 : EngineOptions.parseBytes(kvCacheBytes))
                .gpuMemoryUtilization(gpuMemoryUtilization)
                .hostMemoryUtilization(hostMemoryUtilization);
    }
}

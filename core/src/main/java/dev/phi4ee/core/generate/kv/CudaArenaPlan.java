package dev.phi4ee.core.generate.kv;

import static dev.phi4ee.core.api.KvCachePlan.formatBytes;

import dev.phi4ee.core.api.EngineOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The limit of an engine's CUDA arena ({@code gpu_mem_limit}; one arena shared by its sessions where ONNX Runtime
 * allows), fixed before the sessions exist (docs/decisions/cuda-device-memory.md). Pure: the same inputs give the same
 * plan.
 *
 * <ul>
 *   <li>{@code gpuMemLimit} of {@link EngineOptions} when set, else the decoder's {@code gpu_mem_limit} from
 *       genai_config.json's provider options: the user's number wins;
 *   <li>otherwise {@code weights + KV + }{@link #ACTIVATION_MARGIN}, where KV is {@code kvCacheBytes} when set, else
 *       the KV budget {@link MemoryBudget} will measure once the weights are loaded ({@code gpuMemoryUtilization ×
 *       total − in use now − weights}), else (device memory unreadable) {@link MemoryBudget#UNKNOWN_DEVICE_BYTES};
 *       capped at the device's free memory now.
 * </ul>
 *
 * The KV budget measured after loading is then capped at {@link #kvRoomBytes()}, so the planned cache always fits the
 * arena, whatever the weights really took.
 *
 * @param limitBytes the arena's {@code max_mem}
 * @param kvRoomBytes what the limit leaves the KV cache: limit − weights − margin
 * @param source how the limit was derived, in words (for the open log line and errors)
 */
public record CudaArenaPlan(long limitBytes, long kvRoomBytes, String source) {
    /**
     * Working memory beside weights and KV cache: the prompt logits of a prefill chunk (512 × 200064 fp16 = 205 MB,
     * more for the first chunk past the LongRoPE switch), the vision encoder's activations over up to 17 crops (its
     * attention scores alone ~0.6 GB in fp16 without a fused kernel), cuBLAS/cuDNN workspaces (HEURISTIC search) and
     * the arena's rounding.
     */
    public static final long ACTIVATION_MARGIN = 2L << 30;

    /** The genai_config.json provider option that overrides the derived limit (ONNX Runtime's CUDA option name). */
    public static final String PROVIDER_OPTION = "gpu_mem_limit";

    /**
     * @param weightsBytes the model's weights as stored ({@link #weightsOnDisk}); what loading them takes on the device
     * @param device the device's memory now, before the sessions exist; empty when it cannot be read
     * @param providerOptions the decoder's CUDA provider options from genai_config.json
     * @throws IllegalArgumentException naming the option when the provider option is not a byte count
     */
    public static CudaArenaPlan derive(
            EngineOptions options,
            long weightsBytes,
            Optional<MemoryProbe.Device> device,
            Map<String, String> providerOptions) {
        if (options.gpuMemLimit() > 0) {
            return fixed(options.gpuMemLimit(), weightsBytes, "gpuMemLimit " + formatBytes(options.gpuMemLimit()));
        }
        String configured = providerOptions.get(PROVIDER_OPTION);
        if (configured != null) {
            long bytes;
            try {
                bytes = Long.parseLong(configured.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "genai_config.json provider option " + PROVIDER_OPTION + " must be a byte count, was '"
                                + configured + "'",
                        e);
            }
            return fixed(bytes, weightsBytes, "genai_config.json " + PROVIDER_OPTION + " " + formatBytes(bytes));
        }
        long kv;
        String kvSource;
        if (options.kvCacheBytes() > 0) {
            kv = options.kvCacheBytes();
            kvSource = "kvCacheBytes";
        } else if (device.isPresent()) {
            MemoryProbe.Device d = device.get();
            long inUse = d.totalBytes() - d.freeBytes();
            kv = Math.max(0, (long) (options.gpuMemoryUtilization() * d.totalBytes()) - inUse - weightsBytes);
            kvSource = String.format(
                    Locale.ROOT,
                    "gpuMemoryUtilization %.2f × %s − %s in use − weights",
                    options.gpuMemoryUtilization(),
                    formatBytes(d.totalBytes()),
                    formatBytes(inUse));
        } else {
            kv = MemoryBudget.UNKNOWN_DEVICE_BYTES;
            kvSource = "the fixed KV budget for an unreadable device";
        }
        long wanted = weightsBytes + kv + ACTIVATION_MARGIN;
        String source = "weights " + formatBytes(weightsBytes) + " + KV " + formatBytes(kv) + " (" + kvSource
                + ") + margin " + formatBytes(ACTIVATION_MARGIN);
        long limit = wanted;
        if (device.isPresent() && device.get().freeBytes() < wanted) {
            limit = device.get().freeBytes();
            source += ", capped at the " + formatBytes(limit) + " free ("
                    + device.get().source() + ")";
        }
        return new CudaArenaPlan(limit, Math.max(0, limit - weightsBytes - ACTIVATION_MARGIN), source);
    }

    private static CudaArenaPlan fixed(long limit, long weightsBytes, String source) {
        if (limit <= 0) {
            throw new IllegalArgumentException(source + ": the CUDA memory limit must be positive");
        }
        return new CudaArenaPlan(limit, Math.max(0, limit - weightsBytes - ACTIVATION_MARGIN), source);
    }

    /**
     * The bytes of {@code graphs} as stored: each file plus its external data file ({@code <file>.data}, the name the
     * release and onnxruntime-genai's builder use), links followed. An estimate of what loading takes on the device:
     * int4 MatMulNBits weights stay packed, fp16 tensors keep their size.
     */
    public static long weightsOnDisk(List<Path> graphs) {
        long total = 0;
        for (Path g : graphs) {
            try {
                total += Files.size(g);
                Path data = g.resolveSibling(g.getFileName() + ".data");
                if (Files.isRegularFile(data)) {
                    total += Files.size(data);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(g + ": cannot read its size", e);
            }
        }
        return total;
    }

    /** The KV budget {@code measured} after loading, lowered to what this arena leaves the cache. */
    public MemoryBudget cap(MemoryBudget measured) {
        if (measured.bytes() <= kvRoomBytes) {
            return measured;
        }
        return new MemoryBudget(
                kvRoomBytes,
                "the CUDA arena limit " + formatBytes(limitBytes) + " (" + source + ") − weights − margin "
                        + formatBytes(ACTIVATION_MARGIN) + "; below " + formatBytes(measured.bytes()) + " from "
                        + measured.source(),
                options(source));
    }

    /** The option that raises the cap: the configured limit, or {@code gpuMemLimit} over a derived one. */
    private static String options(String source) {
        return source.startsWith("genai_config") ? "gpu_mem_limit (genai_config.json)" : "gpuMemLimit";
    }
}

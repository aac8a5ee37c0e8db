package dev.phi4ee.core.ort;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The CUDA execution provider's V2 options (ONNX Runtime's {@code UpdateCUDAProviderOptions} keys and string values)
 * and whether ONNX Runtime may place nodes the CUDA provider cannot run on the CPU inside a CUDA session.
 *
 * <p>Defaults: {@code arena_extend_strategy=kSameAsRequested} (the default {@code kNextPowerOfTwo} rounds every arena
 * growth up to a power of two: a 9 GiB KV cache would reserve 16 GiB) and {@code cudnn_conv_algo_search=HEURISTIC}
 * (the default exhaustive search benchmarks every new input shape: the vision/speech shapes vary per request, so each
 * would pay a latency spike and the search's workspace). The model's own {@code session_options.provider_options}
 * (genai_config.json, applied as onnxruntime-genai does) come on top; {@code device_id} comes from the settings.
 *
 * @param options option name → value, in the order they are applied
 * @param cpuFallback false sets {@code session.disable_cpu_ep_fallback=1}: a node CUDA cannot run fails the session
 *     instead of running on the CPU with a copy per run (GroupQueryAttention on CUDA is fp16/bf16 only)
 */
public record CudaProviderOptions(Map<String, String> options, boolean cpuFallback) {
    /** The defaults, with CPU fallback allowed. */
    public static final CudaProviderOptions DEFAULT = new CudaProviderOptions(
            ordered("arena_extend_strategy", "kSameAsRequested", "cudnn_conv_algo_search", "HEURISTIC"), true);

    public CudaProviderOptions {
        Objects.requireNonNull(options, "options");
        options.forEach((k, v) -> {
            if (k == null || k.isBlank() || v == null) {
                throw new IllegalArgumentException("CUDA provider option with an empty name or no value: " + k);
            }
        });
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** These options with {@code overrides} applied on top (e.g. the model's own provider options). */
    public CudaProviderOptions with(Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>(options);
        merged.putAll(overrides);
        return new CudaProviderOptions(merged, cpuFallback);
    }

    /** These options with ONNX Runtime's CPU fallback inside CUDA sessions allowed or not. */
    public CudaProviderOptions withCpuFallback(boolean allowed) {
        return new CudaProviderOptions(options, allowed);
    }

    /** The key/value pairs for {@code device}: {@code device_id} is always the device the session asks for. */
    Map<String, String> forDevice(int device) {
        Map<String, String> all = new LinkedHashMap<>(options);
        all.put("device_id", Integer.toString(device));
        return all;
    }

    private static Map<String, String> ordered(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}

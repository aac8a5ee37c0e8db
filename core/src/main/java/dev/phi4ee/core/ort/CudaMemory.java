package dev.phi4ee.core.ort;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * Total and free memory of a CUDA device, for sizing the KV cache. ONNX Runtime has no such query, and the CUDA
 * runtime's {@code cudaMemGetInfo} is only reachable from Java through JavaCPP's CUDA presets, which the -gpu build
 * does not ship (its {@code cuda-redist} jar holds the libraries, not the bindings). So, in order:
 *
 * <ol>
 *   <li>{@code cudaMemGetInfo} of {@code org.bytedeco.cuda.global.cudart}, called reflectively when an application
 *       puts {@code org.bytedeco:cuda} on the class path (exact, same device numbering as ONNX Runtime);
 *   <li>{@code nvidia-smi}, which the NVIDIA driver installs wherever CUDA runs (also inside containers run with the
 *       NVIDIA container toolkit). Its GPU index is the PCI order; CUDA's ordinal is the same only with {@code
 *       CUDA_DEVICE_ORDER=PCI_BUS_ID} (or one GPU), otherwise the GPU with the least free memory is taken;
 *   <li>empty: the caller falls back to a documented default.
 * </ol>
 */
public final class CudaMemory {
    static {
        JavaCppDefaults.apply(); // before any JavaCPP class is initialised
    }

    /** Total and free bytes, and which query gave them. */
    public record Status(long totalBytes, long freeBytes, String source) {}

    private CudaMemory() {}

    /** Device {@code ordinal} as ONNX Runtime numbers it ({@code cuda:N}), or empty when no query answers. */
    public static Optional<Status> of(int ordinal) {
        return fromCudart(ordinal).or(() -> fromNvidiaSmi(ordinal, System.getenv()));
    }

    private static Optional<Status> fromCudart(int ordinal) {
        try {
            Class<?> cudart = Class.forName("org.bytedeco.cuda.global.cudart");
            Method get = cudart.getMethod("cudaGetDevice", IntPointer.class);
            Method set = cudart.getMethod("cudaSetDevice", int.class);
            Method info = cudart.getMethod("cudaMemGetInfo", SizeTPointer.class, SizeTPointer.class);
            try (IntPointer previous = new IntPointer(1);
                    SizeTPointer free = new SizeTPointer(1);
                    SizeTPointer total = new SizeTPointer(1)) {
                boolean restore = (int) get.invoke(null, previous) == 0;
                try {
                    if ((int) set.invoke(null, ordinal) != 0 || (int) info.invoke(null, free, total) != 0) {
                        return Optional.empty();
                    }
                } finally {
                    if (restore) {
                        set.invoke(null, previous.get());
                    }
                }
                return Optional.of(new Status(total.get(), free.get(), "cudaMemGetInfo"));
            }
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return Optional.empty(); // no CUDA presets on the class path, or no usable driver
        }
    }

    private static Optional<Status> fromNvidiaSmi(int ordinal, Map<String, String> env) {
        try {
            Process p = new ProcessBuilder(
                            "nvidia-smi", "--query-gpu=index,memory.total,memory.free", "--format=csv,noheader,nounits")
                    .redirectErrorStream(true)
                    .start();
            try (InputStream in = p.getInputStream()) {
                String out = new String(in.readNBytes(1 << 16), StandardCharsets.UTF_8);
                if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    p.destroyForcibly();
                    return Optional.empty();
                }
                return parseNvidiaSmi(out, ordinal, env);
            }
        } catch (IOException e) {
            return Optional.empty(); // no nvidia-smi on the PATH
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * The row of {@code nvidia-smi --query-gpu=index,memory.total,memory.free --format=csv,noheader,nounits} (MiB)
     * that is CUDA device {@code ordinal}: the only row; the row {@code CUDA_VISIBLE_DEVICES} and {@code
     * CUDA_DEVICE_ORDER=PCI_BUS_ID} name; else the row with the least free memory (the safe choice when CUDA's
     * fastest-first numbering cannot be matched to the PCI order).
     */
    static Optional<Status> parseNvidiaSmi(String output, int ordinal, Map<String, String> env) {
        List<long[]> rows = new ArrayList<>();
        for (String line : output.strip().split("\\R")) {
            String[] f = line.split(",");
            if (f.length != 3) {
                return Optional.empty(); // an error message, not the table
            }
            try {
                rows.add(new long[] {
                    Long.parseLong(f[0].strip()), Long.parseLong(f[1].strip()) << 20, Long.parseLong(f[2].strip()) << 20
                });
            } catch (NumberFormatException e) {
                return Optional.empty(); // "[N/A]" and the like
            }
        }
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        long[] row = null;
        if (rows.size() == 1) {
            row = rows.get(0);
        } else if ("PCI_BUS_ID".equals(env.get("CUDA_DEVICE_ORDER"))) {
            long index = ordinal;
            String visible = env.getOrDefault("CUDA_VISIBLE_DEVICES", "").strip();
            if (!visible.isEmpty()) {
                String[] ids = visible.split(",");
                index = ordinal < ids.length && ids[ordinal].strip().matches("\\d+")
                        ? Long.parseLong(ids[ordinal].strip())
                        : -1;
            }
            for (long[] r : rows) {
                if (r[0] == index) {
                    row = r;
                }
            }
        }
        if (row != null) {
            return Optional.of(new Status(row[1], row[2], "nvidia-smi GPU " + row[0]));
        }
        long[] least = rows.stream().min(Comparator.comparingLong(r -> r[2])).orElseThrow();
        return Optional.of(new Status(
                least[1], least[2], "nvidia-smi GPU " + least[0] + ", least free of " + rows.size() + " GPUs"));
    }
}

package dev.phi4ee.core.ort.natives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The {@code gpu} profile's natives load on a host with only the NVIDIA driver plus cuBLAS and cuDNN: the
 * {@code DT_NEEDED} closure of the ONNX Runtime {@code -gpu} libraries is inside the profile's jars except for glibc,
 * the GCC runtime, the driver ({@link NativeClosure#SYSTEM}) and exactly {@link #HOST_CUDA}, which no presets
 * release publishes on Maven Central (the split {@code cuda-redist-cublas}/{@code cuda-redist-cudnn} jars exceed
 * Central's size limit; README "GPU"). Runs where {@code PHI4_GPU_CLASSPATH} names the file written by
 * {@code ./mvnw -Pgpu -pl core dependency:build-classpath} ({@code .ci/run} does this); skipped elsewhere.
 */
class CudaNativeClosureTest {
    /** Needed by libonnxruntime_providers_cuda.so, absent from every Central jar of presets 1.5.13: the host's. */
    static final Set<String> HOST_CUDA = Set.of("libcublas.so.13", "libcublasLt.so.13", "libcudnn.so.9");

    static final Predicate<String> ORT_GPU_LIBRARIES = e -> e.startsWith("org/bytedeco/onnxruntime/linux-x86_64-gpu/");

    @Test
    void readsTheDynamicSectionOfTheCpuNatives() throws IOException {
        URL lib = getClass().getClassLoader().getResource("org/bytedeco/onnxruntime/linux-x86_64/libonnxruntime.so.1");
        assumeTrue(lib != null, "the linux-x86_64 natives are not on the class path");
        // readelf -d of the 1.24.1-1.5.13 library: SONAME libonnxruntime.so.1, NEEDED these five
        ElfDynamic d = ElfDynamic.read(lib::openStream);
        assertThat(d.soname()).isEqualTo("libonnxruntime.so.1");
        assertThat(d.needed())
                .containsExactly("libstdc++.so.6", "libm.so.6", "libgcc_s.so.1", "libc.so.6", "ld-linux-x86-64.so.2");
    }

    @Test
    void rejectsWhatIsNotElf() {
        byte[] text = "#!/bin/sh\necho not a library\n".repeat(4).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> ElfDynamic.read(() -> new ByteArrayInputStream(text)))
                .hasMessageContaining("not an ELF file");
    }

    @Test
    void gpuProfileNativesNeedOnlyTheDriverCublasAndCudnnFromTheHost() throws IOException {
        List<Path> jars = gpuJars();
        NativeClosure.Result r = NativeClosure.of(jars, ORT_GPU_LIBRARIES);
        assertThat(r.fromJar())
                .containsKeys(
                        "libonnxruntime_providers_cuda.so",
                        "libonnxruntime.so.1",
                        "libcudart.so.13",
                        "libcufft.so.12",
                        "libdnnl.so.3");
        assertThat(r.unresolved().keySet())
                .as("libraries needed by the CUDA provider that no jar of the gpu profile holds: %s", r.unresolved())
                .isEqualTo(HOST_CUDA);
        System.out.println(
                "GPU: closure from jars " + r.fromJar() + "; system " + r.system() + "; host CUDA " + r.unresolved());
    }

    @Test
    void theCheckFailsWithoutTheCudaRuntimeJar() throws IOException {
        List<Path> withoutRedist = gpuJars().stream()
                .filter(j -> !j.getFileName().toString().startsWith("cuda-redist"))
                .toList();
        NativeClosure.Result r = NativeClosure.of(withoutRedist, ORT_GPU_LIBRARIES);
        assertThat(r.unresolved()).containsKeys("libcudart.so.13", "libcufft.so.12");
        assertThat(r.unresolved().get("libcudart.so.13")).containsExactly("libonnxruntime_providers_cuda.so");
    }

    /** The jars of {@code -Pgpu}, from the classpath file named by {@code PHI4_GPU_CLASSPATH}. */
    static List<Path> gpuJars() throws IOException {
        String file = System.getenv("PHI4_GPU_CLASSPATH");
        assumeTrue(file != null && !file.isBlank(), "PHI4_GPU_CLASSPATH not set (.ci/run sets it)");
        Path path = Path.of(file);
        assertThat(path).as("PHI4_GPU_CLASSPATH names a file").isRegularFile();
        List<Path> jars = Arrays.stream(Files.readString(path).trim().split(File.pathSeparator))
                .filter(s -> !s.isBlank())
                .map(Path::of)
                .toList();
        assertThat(jars)
                .as("the gpu profile's jars in %s", file)
                .anyMatch(j -> j.getFileName().toString().endsWith("-linux-x86_64-gpu.jar"));
        return jars;
    }
}

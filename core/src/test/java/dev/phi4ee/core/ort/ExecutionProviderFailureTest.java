package dev.phi4ee.core.ort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.ort.ExecutionProviderFailure.Reason;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * CUDA failures are classified from ONNX Runtime's own message shapes: the provider bridge's "Failed to load library
 * X with error: <dlerror>" (onnxruntime core/platform/posix/env.cc) and CUDA_CALL's "CUDA failure N: <text> ; GPU=..
 * ; hostname=.. ; file=.. ; line=.. ; expr=..; " (core/providers/cuda/cuda_call.cc), with cudaError_t codes and
 * cudaGetErrorString texts; and the dynamic loader's own "<lib>: <missing>: cannot open shared object file" that
 * {@link CudaProviderProbe} adds where ONNX Runtime's message has no detail. The -gpu natives are not on this class
 * path, so these are recorded shapes, plus the real failure of the CPU natives.
 */
class ExecutionProviderFailureTest {
    private static final String BRIDGE = "/onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:1862"
            + " onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL :"
            + " Failed to load library ";
    private static final String CUDA_CALL_TAIL = " ; GPU=0 ; hostname=gpu-host ;"
            + " file=/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_execution_provider.cc ; line=282 ;"
            + " expr=cudaSetDevice(info_.device_id); ";

    @TempDir
    Path dir;

    static ExecutionProviderFailure classify(String ortMessage) {
        return ExecutionProviderFailure.classify(
                0, "decoder.onnx", false, ortMessage, new RuntimeException(ortMessage));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No"
                        + " such file or directory|libcublasLt.so.13|cuBLAS 13 and cuDNN 9",
                "/root/.javacpp/cache/onnxruntime-1.24.1-1.5.13-linux-x86_64-gpu.jar/org/bytedeco/onnxruntime/"
                        + "linux-x86_64-gpu/libonnxruntime_providers_cuda.so with error: libcudnn.so.9: cannot open"
                        + " shared object file: No such file or directory|libcudnn.so.9|cuBLAS 13 and cuDNN 9",
                "libonnxruntime_providers_cuda.so with error: libcudart.so.13: cannot open shared object file: No"
                        + " such file or directory|libcudart.so.13|cuda-redist",
                "libonnxruntime_providers_cuda.so with error: libonnxruntime_providers_cuda.so: cannot open shared"
                        + " object file: No such file or directory|libonnxruntime_providers_cuda.so|javacpp.platform.extension=-gpu",
                "libonnxruntime_providers_cuda.so (no detail) (dynamic loader: /root/.javacpp/cache/x/"
                        + "libonnxruntime_providers_cuda.so: libcublas.so.13: cannot open shared object file: No such"
                        + " file or directory)|libcublas.so.13|cuBLAS 13 and cuDNN 9"
            })
    void aMissingLibraryIsNamedWithItsFix(String tail, String library, String hint) {
        ExecutionProviderFailure f = classify(BRIDGE + tail);
        assertThat(f.reason()).isEqualTo(Reason.MISSING_LIBRARY);
        assertThat(f.missingLibrary()).contains(library);
        assertThat(f.getMessage())
                .startsWith("CUDA execution provider (device 0) cannot be used for decoder.onnx: shared library "
                        + library + " is missing")
                .contains(hint)
                .contains("ONNX Runtime: " + BRIDGE);
        assertThat(f.reason().hostWide()).isTrue();
    }

    @Test
    void onlyAGenericLoadFailureAsksTheDynamicLoader() {
        // ONNX Runtime's V1 append (and a failed provider factory) only says "Failed to load shared library"
        String generic = "OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library";
        assertThat(classify(generic).reason()).isEqualTo(Reason.OTHER);
        assertThat(classify(generic + " (dynamic loader: /x/libonnxruntime_providers_cuda.so: libcudnn.so.9: cannot"
                                + " open shared object file: No such file or directory)")
                        .missingLibrary())
                .contains("libcudnn.so.9");
    }

    @Test
    void aMissingDriverLibraryIsADriverProblem() {
        ExecutionProviderFailure f = classify(BRIDGE + "libonnxruntime_providers_cuda.so with error: libcuda.so.1:"
                + " cannot open shared object file: No such file or directory");
        assertThat(f.reason()).isEqualTo(Reason.DRIVER);
        assertThat(f.missingLibrary()).contains("libcuda.so.1");
        assertThat(f.getMessage()).contains("the NVIDIA driver is not installed");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "35|CUDA driver version is insufficient for CUDA runtime version|DRIVER",
                "34|CUDA driver is a stub library|DRIVER",
                "803|system has unsupported display driver / cuda driver combination|DRIVER",
                "100|no CUDA-capable device is detected|NO_DEVICE",
                "101|invalid device ordinal|NO_DEVICE",
                "2|out of memory|OTHER"
            })
    void cudaRuntimeErrorsAreClassifiedByCode(int code, String text, Reason reason) {
        ExecutionProviderFailure f = classify("CUDA failure " + code + ": " + text + CUDA_CALL_TAIL);
        assertThat(f.reason()).isEqualTo(reason);
        assertThat(f.missingLibrary()).isEmpty();
        assertThat(f.getMessage()).contains("CUDA error " + code).contains(text);
        if (reason == Reason.DRIVER) {
            assertThat(f.getMessage()).contains("driver >= 580");
        }
    }

    @Test
    void autoStopsTryingCudaOnlyAfterAHostWideFailure() {
        CudaAvailability auto = new CudaAvailability();
        assertThat(auto.failed(classify("CUDA failure 2: out of memory" + CUDA_CALL_TAIL)))
                .isFalse();
        assertThat(auto.worthTrying())
                .as("device memory may be free for the next session")
                .isTrue();
        ExecutionProviderFailure driver =
                classify("CUDA failure 35: CUDA driver version is insufficient for CUDA runtime version");
        assertThat(auto.failed(driver)).isTrue();
        assertThat(auto.worthTrying()).isFalse();
        assertThat(auto.failed(classify("CUDA failure 100: no CUDA-capable device is detected")))
                .as("only the first host-wide failure is reported")
                .isFalse();
        assertThat(auto.hostWideFailure()).containsSame(driver);
    }

    @Test
    void theCpuNativesFailStrictCudaAsAClassifiedProviderFailure() {
        Path f = TinyGraphs.doubling(dir, ElementType.FLOAT);
        var strict = new SessionSettings("cuda", true, 1, SessionSettings.Optimization.ALL);
        assertThatThrownBy(() -> OrtSession.open(f, strict))
                .isInstanceOfSatisfying(ExecutionProviderFailure.class, e -> {
                    System.out.println("CPU natives, strict CUDA: " + e.getMessage());
                    // CreateCUDAProviderOptions of the CPU natives: "CUDA execution provider is not enabled in
                    // this build."
                    assertThat(e.reason()).isEqualTo(Reason.MISSING_LIBRARY);
                    assertThat(e.missingLibrary()).contains("libonnxruntime_providers_cuda.so");
                    assertThat(e.getMessage())
                            .contains("the CPU build (resolve with -Djavacpp.platform.extension=-gpu)")
                            .contains("strict execution provider")
                            .contains("not enabled in this build");
                });
    }
}

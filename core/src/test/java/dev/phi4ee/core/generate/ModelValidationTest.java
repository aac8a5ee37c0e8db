package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.phi4ee.core.api.ExecutionProviderException;
import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.OnnxRuntime;
import dev.phi4ee.core.ort.SessionSettings;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broken model directory fails at open time with a message naming the file, the tensor, expected and found. */
class ModelValidationTest {
    @TempDir
    Path tmp;

    private Path copyOf(TestModelSpec spec) throws IOException {
        Path src = KitModels.dir(spec);
        Path dst = tmp.resolve("model");
        Files.createDirectories(dst);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dst.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dst;
    }

    private static void open(Path dir) {
        try (Phi4Graphs g = Phi4Graphs.open(ModelDirectory.open(dir), SessionSettings.cpu(1))) {
            assertThat(g).isNotNull();
        }
    }

    @Test
    void theKitModelPassesTheContract() throws IOException {
        open(copyOf(KitModels.spec().includeVision(true).includeSpeech(true).build()));
    }

    @Test
    void aStrictCudaRequestTheHostCannotHonourIsAProviderErrorNotAModelError() {
        var strictCuda = new SessionSettings("cuda:0", true, 1, SessionSettings.Optimization.ALL);
        ModelDirectory md = ModelDirectory.open(KitModels.dir(KitModels.spec().build()));
        assumeFalse(OnnxRuntime.compiledProviders().contains("CUDAExecutionProvider"), "CPU natives only");
        assertThatThrownBy(() -> Phi4Graphs.open(md, strictCuda))
                .isInstanceOfSatisfying(ExecutionProviderException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ExecutionProviderException.Reason.MISSING_LIBRARY);
                    assertThat(e.missingLibrary()).contains("libonnxruntime_providers_cuda.so");
                })
                .hasMessageContaining("embedding.onnx")
                .hasMessageNotContaining("cannot load the graph");
    }

    @Test
    void renamedTensorIsReportedWithTheGraphsActualNames() throws IOException {
        Path dir = copyOf(KitModels.spec().build());
        Path config = dir.resolve("genai_config.json");
        Files.writeString(config, Files.readString(config).replace("\"present.%d.key\"", "\"present_key.%d\""));
        assertThatThrownBy(() -> open(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(
                        "phi-4-mm-text.onnx: output 'present_key.0': expected float16 or float32"
                                + " rank 4 [*, 2, *, 32], found no such output; the graph's outputs are [logits, present.0.key");
    }

    @Test
    void wrongDtypeBetweenGraphsIsReported() throws IOException {
        Path dir = copyOf(KitModels.spec().build());
        Path fp16 = KitModels.dir(
                KitModels.spec().floatType(TestModelSpec.FloatType.FP16).build());
        Files.copy(
                fp16.resolve("phi-4-mm-embedding.onnx"),
                dir.resolve("phi-4-mm-embedding.onnx"),
                StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> open(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("phi-4-mm-text.onnx: input 'inputs_embeds': expected float16 (the type"
                        + " phi-4-mm-embedding.onnx produces for 'inputs_embeds', passed on without conversion),"
                        + " found float32");
    }

    @Test
    void wrongDimensionAgainstTheConfigIsReported() throws IOException {
        Path dir = copyOf(KitModels.spec().build());
        Path config = dir.resolve("genai_config.json");
        Files.writeString(
                config,
                Files.readString(config).replaceAll("\"num_key_value_heads\"\\s*:\\s*2", "\"num_key_value_heads\": 4"));
        assertThatThrownBy(() -> open(dir))
                .hasMessageStartingWith("phi-4-mm-text.onnx: input 'past_key_values.0.key': expected float16 or"
                        + " float32 rank 4 [*, 4, *, 32], found float32 rank 4 [");
    }

    @Test
    void missingAndCorruptFilesAreNamed() throws IOException {
        Path dir = copyOf(KitModels.spec().build());
        Files.writeString(dir.resolve("phi-4-mm-text.onnx"), "garbage");
        assertThatThrownBy(() -> open(dir))
                .isInstanceOf(ModelFormatException.class)
                // The LoRA rank fit reads the decoder graph before ONNX Runtime does (reference §5.4 c).
                .hasMessageStartingWith("phi-4-mm-text.onnx: cannot read ONNX graph");
        Files.delete(dir.resolve("phi-4-mm-text.onnx"));
        assertThatThrownBy(() -> open(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith("phi-4-mm-text.onnx: file missing in ");
        Files.delete(dir.resolve("tokenizer.json"));
        Files.copy(
                KitModels.dir(KitModels.spec().build()).resolve("phi-4-mm-text.onnx"),
                dir.resolve("phi-4-mm-text.onnx"));
        assertThatThrownBy(() -> open(dir)).hasMessageStartingWith("tokenizer.json: file missing in ");
    }
}

package dev.phi4ee.core.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VisionProcessorConfigTest {

    /** The release's vision_processor.json (reference §2.3). */
    static final String RELEASE_JSON = """
            { "processor": { "name": "phi_4_vision_processor",
              "transforms": [
                { "operation": { "name": "decode_image", "type": "DecodeImage", "attrs": { "color_space": "RGB" } } },
                { "operation": { "name": "phi4_vision_dynamic_preprocess", "type": "Phi4VisionDynamicPreprocess",
                                 "attrs": { "dynamic_hd": 36, "dyhd_base_resolution": 448 } } },
                { "operation": { "name": "rescale", "type": "Rescale", "inputs": [":0"] } },
                { "operation": { "name": "normalize", "type": "Normalize",
                                 "attrs": { "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5] } } },
                { "operation": { "name": "phi4_vision_processor", "type": "Phi4VisionProcessor",
                                 "inputs": [":0", "phi4_vision_dynamic_preprocess:1"],
                                 "attrs": { "dyhd_base_resolution": 448, "interpolation": "CUBIC" } } } ],
              "output_aligner": "phi4-vision-aligner" } }
            """;

    @TempDir
    Path dir;

    @Test
    void readsTheReleaseFile() throws IOException {
        VisionProcessorConfig c = VisionProcessorConfig.read(write(RELEASE_JSON));
        assertThat(c.dynamicHd()).isEqualTo(36);
        assertThat(c.baseResolution()).isEqualTo(448);
        assertThat(c.mean()).containsExactly(0.5f, 0.5f, 0.5f);
        assertThat(c.std()).containsExactly(0.5f, 0.5f, 0.5f);
        assertThat(VisionProcessorConfig.defaults().dynamicHd()).isEqualTo(36);
    }

    @Test
    void takesAnotherCropBudget() throws IOException {
        VisionProcessorConfig c = VisionProcessorConfig.read(write(RELEASE_JSON.replace("36", "16")));
        assertThat(c.dynamicHd()).isEqualTo(16);
    }

    @Test
    void malformedFieldsNameTheFileAndField() throws IOException {
        Path bad = write(RELEASE_JSON.replace("\"dynamic_hd\": 36", "\"dynamic_hd\": \"many\""));
        assertThatThrownBy(() -> VisionProcessorConfig.read(bad))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(bad.toString())
                .hasMessageContaining("Phi4VisionDynamicPreprocess.attrs.dynamic_hd");
        Path base = write(RELEASE_JSON.replace("\"dyhd_base_resolution\": 448 }", "\"dyhd_base_resolution\": 384 }"));
        assertThatThrownBy(() -> VisionProcessorConfig.read(base))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("dyhd_base_resolution must be the value 448");
        Path mean = write(RELEASE_JSON.replace("\"mean\": [0.5, 0.5, 0.5]", "\"mean\": [0.5]"));
        assertThatThrownBy(() -> VisionProcessorConfig.read(mean))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("Normalize.attrs.mean");
        Path missing = write("{\"processor\": {\"transforms\": []}}");
        assertThatThrownBy(() -> VisionProcessorConfig.read(missing))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("Phi4VisionDynamicPreprocess");
        Path notJson = write("{ nope");
        assertThatThrownBy(() -> VisionProcessorConfig.read(notJson))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("JSON");
        assertThatThrownBy(() -> VisionProcessorConfig.read(dir.resolve("absent.json")))
                .isInstanceOf(ModelFormatException.class);
    }

    private Path write(String json) throws IOException {
        Path f = Files.createTempFile(dir, "vision_processor", ".json");
        Files.writeString(f, json);
        return f;
    }
}

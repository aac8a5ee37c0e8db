package dev.phi4ee.core.model;

import java.util.Optional;

/** {@code model.vision}: the image encoder graph, its processor JSON and its decoder LoRA adapter (§2.2, §3.1). */
public record VisionConfig(
        String filename,
        String configFilename,
        Optional<String> adapterFilename,
        String pixelValues,
        String attentionMask,
        String imageSizes,
        String imageFeatures) {

    static VisionConfig read(JsonFields v) {
        JsonFields in = v.optionalObject("inputs").orElse(null);
        JsonFields out = v.optionalObject("outputs").orElse(null);
        return new VisionConfig(
                v.string("filename"),
                v.string("config_filename", "processor_config.json"),
                v.optionalString("adapter_filename"),
                in == null ? "pixel_values" : in.string("pixel_values", "pixel_values"),
                in == null ? "image_attention_mask" : in.string("attention_mask", "image_attention_mask"),
                in == null ? "image_sizes" : in.string("image_sizes", "image_sizes"),
                out == null ? "image_features" : out.string("image_features", "image_features"));
    }
}

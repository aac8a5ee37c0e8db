package dev.phi4ee.core.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.phi4ee.core.api.ModelFormatException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The parts of the model's {@code vision_processor.json} (onnxruntime-extensions format, reference §2.3) that shape
 * the vision inputs: the dynamic-HD crop budget, the crop size and the normalisation constants.
 *
 * @param dynamicHd most HD crops per image (reference §7.1: 36 in the release)
 * @param baseResolution crop size; the vision graph is fixed at 448 (§3.1), so nothing else is accepted
 * @param mean per-channel normalisation mean applied after ×1/255
 * @param std per-channel normalisation standard deviation
 */
public record VisionProcessorConfig(int dynamicHd, int baseResolution, float[] mean, float[] std) {

    /** Crop size of the vision encoder (§7.1); every tensor shape and the token formula assume it. */
    public static final int CROP_SIZE = 448;

    static final String FILE_NAME = "vision_processor.json";

    public VisionProcessorConfig {
        if (dynamicHd < 1) {
            throw new IllegalArgumentException("dynamicHd must be >= 1, was " + dynamicHd);
        }
        if (baseResolution != CROP_SIZE) {
            throw new IllegalArgumentException("baseResolution must be " + CROP_SIZE + ", was " + baseResolution);
        }
        mean = checkTriple(mean, "mean", false);
        std = checkTriple(std, "std", true);
    }

    /** The release's values (§2.3): dynamic_hd 36, 448-pixel crops, mean = std = 0.5. */
    public static VisionProcessorConfig defaults() {
        return new VisionProcessorConfig(36, CROP_SIZE, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});
    }

    /** The same configuration with another crop budget (e.g. the CLI's {@code --dynamic-hd}). */
    public VisionProcessorConfig withDynamicHd(int newDynamicHd) {
        return new VisionProcessorConfig(newDynamicHd, baseResolution, mean, std);
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /**
     * Reads {@code vision_processor.json}. Absent optional transforms keep the defaults; a present but malformed
     * field is a {@link ModelFormatException} naming the file and the field.
     */
    public static VisionProcessorConfig read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(file + ": cannot read as JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.path("processor").path("transforms").isArray()) {
            throw new ModelFormatException(file + ": expected an array at processor.transforms");
        }
        VisionProcessorConfig d = defaults();
        int dynamicHd = d.dynamicHd;
        int base = d.baseResolution;
        float[] mean = d.mean;
        float[] std = d.std;
        boolean sawDynamic = false;
        for (JsonNode t : root.path("processor").path("transforms")) {
            JsonNode op = t.path("operation");
            String type = op.path("type").asText("");
            JsonNode attrs = op.path("attrs");
            switch (type) {
                case "Phi4VisionDynamicPreprocess" -> {
                    sawDynamic = true;
                    dynamicHd = intField(file, attrs, type, "dynamic_hd", dynamicHd, 1, 1024);
                    base = intField(file, attrs, type, "dyhd_base_resolution", base, CROP_SIZE, CROP_SIZE);
                }
                case "Phi4VisionProcessor" ->
                    base = intField(file, attrs, type, "dyhd_base_resolution", base, CROP_SIZE, CROP_SIZE);
                case "Normalize" -> {
                    mean = floatTriple(file, attrs, type, "mean", mean);
                    std = floatTriple(file, attrs, type, "std", std);
                }
                default -> {
                    // decode_image, rescale (fixed 1/255) and unknown transforms do not change the numbers.
                }
            }
        }
        if (!sawDynamic) {
            throw new ModelFormatException(
                    file + ": no Phi4VisionDynamicPreprocess transform in processor.transforms (dynamic_hd unknown)");
        }
        try {
            return new VisionProcessorConfig(dynamicHd, base, mean, std);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file + ": " + e.getMessage(), e);
        }
    }

    private static int intField(Path file, JsonNode attrs, String op, String name, int dflt, int min, int max) {
        JsonNode v = attrs.get(name);
        if (v == null) {
            return dflt;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() < min || v.intValue() > max) {
            String range = min == max ? "the value " + min : "an integer in [" + min + ", " + max + "]";
            throw new ModelFormatException(file + ": " + op + ".attrs." + name + " must be " + range + ", was " + v);
        }
        return v.intValue();
    }

    private static float[] floatTriple(Path file, JsonNode attrs, String op, String name, float[] dflt) {
        JsonNode v = attrs.get(name);
        if (v == null) {
            return dflt;
        }
        if (!v.isArray() || v.size() != 3) {
            throw new ModelFormatException(
                    file + ": " + op + ".attrs." + name + " must be an array of 3 numbers, was " + v);
        }
        float[] out = new float[3];
        for (int i = 0; i < 3; i++) {
            if (!v.get(i).isNumber()) {
                throw new ModelFormatException(file + ": " + op + ".attrs." + name + "[" + i + "] is not a number");
            }
            out[i] = v.get(i).floatValue();
        }
        return out;
    }

    private static float[] checkTriple(float[] v, String name, boolean positive) {
        if (v == null || v.length != 3) {
            throw new IllegalArgumentException(name + " must have 3 values");
        }
        for (float f : v) {
            if (!Float.isFinite(f) || (positive && f <= 0)) {
                throw new IllegalArgumentException(name + " values must be finite" + (positive ? " and > 0" : ""));
            }
        }
        return v.clone();
    }
}

package dev.phi4ee.core.model;

/** {@code model.embedding}: token table plus the scatter of image/audio feature rows (reference §3.3). */
public record EmbeddingConfig(
        String filename, String inputIds, String imageFeatures, String audioFeatures, String inputsEmbeds) {

    static EmbeddingConfig read(JsonFields e) {
        JsonFields in = e.optionalObject("inputs").orElse(null);
        JsonFields out = e.optionalObject("outputs").orElse(null);
        return new EmbeddingConfig(
                e.string("filename"),
                in == null ? "input_ids" : in.string("input_ids", "input_ids"),
                in == null ? "image_features" : in.string("image_features", "image_features"),
                in == null ? "audio_features" : in.string("audio_features", "audio_features"),
                out == null ? "inputs_embeds" : out.string("inputs_embeds", "inputs_embeds"));
    }
}

package dev.phi4ee.core.model;

import java.util.Optional;

/** {@code model.speech}: the audio encoder graph, its processor JSON and its decoder LoRA adapter (§2.2, §3.2). */
public record SpeechConfig(
        String filename,
        String configFilename,
        Optional<String> adapterFilename,
        String audioEmbeds,
        String attentionMask,
        String audioSizes,
        String audioProjectionMode,
        String audioFeatures) {

    static SpeechConfig read(JsonFields s) {
        JsonFields in = s.optionalObject("inputs").orElse(null);
        JsonFields out = s.optionalObject("outputs").orElse(null);
        return new SpeechConfig(
                s.string("filename"),
                s.string("config_filename", "audio_processor_config.json"),
                s.optionalString("adapter_filename"),
                in == null ? "audio_embeds" : in.string("audio_embeds", "audio_embeds"),
                in == null ? "audio_attention_mask" : in.string("attention_mask", "audio_attention_mask"),
                in == null ? "audio_sizes" : in.string("audio_sizes", "audio_sizes"),
                in == null ? "audio_projection_mode" : in.string("audio_projection_mode", "audio_projection_mode"),
                out == null ? "audio_features" : out.string("audio_features", "audio_features"));
    }
}

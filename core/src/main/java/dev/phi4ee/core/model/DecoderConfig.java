package dev.phi4ee.core.model;

import java.util.Map;

/**
 * {@code model.decoder} of genai_config.json: the text graph's dimensions and tensor names. Per-layer names are
 * patterns with one {@code %d} (reference §2.2). {@code providerOptions}: {@code session_options.provider_options},
 * provider name ({@code cuda}) → ONNX Runtime option → value, applied to the decoder's session as onnxruntime-genai
 * does (empty when absent).
 */
public record DecoderConfig(
        String filename,
        int headSize,
        int hiddenSize,
        int numAttentionHeads,
        int numHiddenLayers,
        int numKeyValueHeads,
        String inputsEmbeds,
        String attentionMask,
        String pastKeyNames,
        String pastValueNames,
        String logits,
        String presentKeyNames,
        String presentValueNames,
        Map<String, Map<String, String>> providerOptions) {

    /** The decoder's options for {@code provider} ({@code cuda}) from genai_config.json; empty when none. */
    public Map<String, String> providerOptions(String provider) {
        return providerOptions.getOrDefault(provider, Map.of());
    }

    public String pastKeyName(int layer) {
        return pastKeyNames.replace("%d", Integer.toString(layer));
    }

    public String pastValueName(int layer) {
        return pastValueNames.replace("%d", Integer.toString(layer));
    }

    public String presentKeyName(int layer) {
        return presentKeyNames.replace("%d", Integer.toString(layer));
    }

    public String presentValueName(int layer) {
        return presentValueNames.replace("%d", Integer.toString(layer));
    }

    static DecoderConfig read(JsonFields d) {
        JsonFields in = d.optionalObject("inputs").orElse(null);
        JsonFields out = d.optionalObject("outputs").orElse(null);
        return new DecoderConfig(
                d.string("filename"),
                d.positive("head_size"),
                d.positive("hidden_size"),
                d.positive("num_attention_heads"),
                d.positive("num_hidden_layers"),
                d.positive("num_key_value_heads"),
                in == null ? "inputs_embeds" : in.string("inputs_embeds", "inputs_embeds"),
                in == null ? "attention_mask" : in.string("attention_mask", "attention_mask"),
                in == null ? "past_key_values.%d.key" : in.layerPattern("past_key_names", "past_key_values.%d.key"),
                in == null
                        ? "past_key_values.%d.value"
                        : in.layerPattern("past_value_names", "past_key_values.%d.value"),
                out == null ? "logits" : out.string("logits", "logits"),
                out == null ? "present.%d.key" : out.layerPattern("present_key_names", "present.%d.key"),
                out == null ? "present.%d.value" : out.layerPattern("present_value_names", "present.%d.value"),
                d.optionalObject("session_options")
                        .map(so -> so.providerOptions("provider_options"))
                        .orElse(Map.of()));
    }
}

package dev.phi4ee.core.model;

/**
 * {@code model.decoder} of genai_config.json: the text graph's dimensions and tensor names. Per-layer names are
 * patterns with one {@code %d} (reference §2.2).
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
        String presentValueNames) {

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
                out == null ? "present.%d.value" : out.layerPattern("present_value_names", "present.%d.value"));
    }
}

package dev.phi4ee.core.model;

/**
 * {@code search} of genai_config.json: the context window and the model's default decoding settings (§2.2).
 *
 * @param maxLength {@code max_length}, or {@code context_length} when 0/absent
 * @param pastPresentShareBuffer whether the release shares past/present KV buffers
 */
public record SearchConfig(
        int maxLength,
        boolean pastPresentShareBuffer,
        boolean doSample,
        double temperature,
        int topK,
        double topP,
        double repetitionPenalty,
        int minLength) {

    static SearchConfig read(JsonFields s, int contextLength, String file) {
        int max = s.integer("max_length", 0);
        if (max < 0) {
            throw new dev.phi4ee.core.api.ModelFormatException(
                    file + ": search.max_length: expected >= 0, found " + max);
        }
        if (max == 0) {
            max = contextLength;
        }
        if (max > contextLength) {
            throw new dev.phi4ee.core.api.ModelFormatException(
                    file + ": search.max_length: expected <= model.context_length " + contextLength + ", found " + max);
        }
        return new SearchConfig(
                max,
                s.bool("past_present_share_buffer", false),
                s.bool("do_sample", false),
                s.number("temperature", 1.0),
                s.integer("top_k", 50),
                s.number("top_p", 1.0),
                s.number("repetition_penalty", 1.0),
                s.integer("min_length", 0));
    }
}

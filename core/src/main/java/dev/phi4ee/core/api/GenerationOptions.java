package dev.phi4ee.core.api;

import java.time.Duration;
import java.util.List;

/**
 * Decoding options, named after their Hugging Face equivalents. Defaults give greedy decoding
 * ({@code doSample=false}); sampling is on when {@code doSample} is true and {@code temperature > 0} and
 * {@code topK != 1}.
 *
 * @param maxNewTokens upper bound of generated tokens (HF {@code max_new_tokens})
 * @param minNewTokens end-of-sequence tokens are masked until this many tokens exist (HF {@code min_new_tokens})
 * @param doSample sample instead of argmax
 * @param temperature logits divided by this before sampling
 * @param topK keep the k most likely tokens; 0 = off
 * @param topP nucleus sampling mass; 1.0 = off
 * @param minP drop tokens below {@code minP} × the top probability; 0 = off
 * @param repetitionPenalty CTRL-style penalty on tokens already in the sequence; 1.0 = off
 * @param stopSequences generation stops when the text ends with one of these; it is excluded from the output
 * @param seed random seed; the same seed and request give the same output; null = random
 * @param timeout per-request deadline measured from submission; null = none
 * @param responseFormat free text (default), any JSON object, or JSON valid for a schema: constrains decoding (see
 *     {@link ResponseFormat})
 */
public record GenerationOptions(
        int maxNewTokens,
        int minNewTokens,
        boolean doSample,
        double temperature,
        int topK,
        double topP,
        double minP,
        double repetitionPenalty,
        List<String> stopSequences,
        Long seed,
        Duration timeout,
        ResponseFormat responseFormat) {

    public static final int DEFAULT_MAX_NEW_TOKENS = 256;

    public GenerationOptions {
        stopSequences = stopSequences == null ? List.of() : List.copyOf(stopSequences);
        responseFormat = responseFormat == null ? ResponseFormat.text() : responseFormat;
        require(maxNewTokens >= 1, "maxNewTokens must be >= 1, was " + maxNewTokens);
        require(
                minNewTokens >= 0 && minNewTokens <= maxNewTokens,
                "minNewTokens must be in [0, maxNewTokens], was " + minNewTokens);
        require(temperature >= 0 && Double.isFinite(temperature), "temperature must be >= 0, was " + temperature);
        require(topK >= 0, "topK must be >= 0, was " + topK);
        require(topP > 0 && topP <= 1, "topP must be in (0, 1], was " + topP);
        require(minP >= 0 && minP < 1, "minP must be in [0, 1), was " + minP);
        require(
                repetitionPenalty > 0 && Double.isFinite(repetitionPenalty),
                "repetitionPenalty must be > 0, was " + repetitionPenalty);
        require(stopSequences.stream().noneMatch(String::isEmpty), "stopSequences must not contain empty strings");
        require(timeout == null || !timeout.isNegative(), "timeout must not be negative");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new InvalidInputException(message);
        }
    }

    /** True when decoding is plain argmax. */
    public boolean greedy() {
        return !doSample || temperature == 0 || topK == 1;
    }

    public static GenerationOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxNewTokens = maxNewTokens;
        b.minNewTokens = minNewTokens;
        b.doSample = doSample;
        b.temperature = temperature;
        b.topK = topK;
        b.topP = topP;
        b.minP = minP;
        b.repetitionPenalty = repetitionPenalty;
        b.stopSequences = stopSequences;
        b.seed = seed;
        b.timeout = timeout;
        b.responseFormat = responseFormat;
        return b;
    }

    public static final class Builder {
        private int maxNewTokens = DEFAULT_MAX_NEW_TOKENS;
        private int minNewTokens;
        private boolean doSample;
        private double temperature = 1.0;
        private int topK;
        private double topP = 1.0;
        private double minP;
        private double repetitionPenalty = 1.0;
        private List<String> stopSequences = List.of();
        private Long seed;
        private Duration timeout;
        private ResponseFormat responseFormat = ResponseFormat.text();

        private Builder() {}

        public Builder maxNewTokens(int v) {
            maxNewTokens = v;
            return this;
        }

        public Builder minNewTokens(int v) {
            minNewTokens = v;
            return this;
        }

        public Builder doSample(boolean v) {
            doSample = v;
            return this;
        }

        public Builder temperature(double v) {
            temperature = v;
            return this;
        }

        public Builder topK(int v) {
            topK = v;
            return this;
        }

        public Builder topP(double v) {
            topP = v;
            return this;
        }

        public Builder minP(double v) {
            minP = v;
            return this;
        }

        public Builder repetitionPenalty(double v) {
            repetitionPenalty = v;
            return this;
        }

        public Builder stopSequences(List<String> v) {
            stopSequences = v;
            return this;
        }

        public Builder seed(Long v) {
            seed = v;
            return this;
        }

        public Builder timeout(Duration v) {
            timeout = v;
            return this;
        }

        /** See {@link ResponseFormat}; null means free text. */
        public Builder responseFormat(ResponseFormat v) {
            responseFormat = v;
            return this;
        }

        public GenerationOptions build() {
            return new GenerationOptions(
                    maxNewTokens,
                    minNewTokens,
                    doSample,
                    temperature,
                    topK,
                    topP,
                    minP,
                    repetitionPenalty,
                    stopSequences,
                    seed,
                    timeout,
                    responseFormat);
        }
    }
}

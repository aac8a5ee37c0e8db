package dev.phi4ee.core.api;

/**
 * Token accounting of one request. {@code promptTokens} counts the whole prompt after media expansion, of which
 * {@code imageTokens} and {@code audioTokens} are placeholder rows.
 */
public record TokenUsage(int promptTokens, int imageTokens, int audioTokens, int generatedTokens) {
    public int totalTokens() {
        return promptTokens + generatedTokens;
    }
}

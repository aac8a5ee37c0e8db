package dev.phi4ee.core.api;

import java.nio.file.Path;

/**
 * What an open engine serves.
 *
 * @param directory the model directory
 * @param modelType {@code model.type} of {@code genai_config.json} ({@code phi4mm})
 * @param maxLength the context window in effect
 * @param vocabSize rows of the logits
 * @param executionProvider the provider actually in use ({@code cpu} or {@code cuda:N})
 * @param floatType {@code float16} or {@code float32}, as the decoder declares its inputs
 * @param supportsImages a vision graph is configured
 * @param supportsAudio a speech graph is configured
 * @param kvCache how the KV cache was sized (window, slots, bytes, budget); null for engines without one (test
 *     doubles)
 */
public record ModelInfo(
        Path directory,
        String modelType,
        int maxLength,
        int vocabSize,
        String executionProvider,
        String floatType,
        boolean supportsImages,
        boolean supportsAudio,
        KvCachePlan kvCache) {

    /** Without a KV cache plan (engines that have none, test doubles). */
    public ModelInfo(
            Path directory,
            String modelType,
            int maxLength,
            int vocabSize,
            String executionProvider,
            String floatType,
            boolean supportsImages,
            boolean supportsAudio) {
        this(
                directory,
                modelType,
                maxLength,
                vocabSize,
                executionProvider,
                floatType,
                supportsImages,
                supportsAudio,
                null);
    }
}

package dev.phi4ee.core.generate;

import dev.phi4ee.core.ort.Tensor;

/**
 * The engine's prompt stage (reference §4.1), for batched and one-at-a-time requests alike: vision if images, speech
 * if audio (projection by input mode), then the embedding graph with both feature tensors and the decoder prefill.
 * The request's LoRA adapter (§5.2) is set before the first decoder run and stays for every step.
 */
final class EnginePromptStage implements BatchRow.PromptStage {
    private final MediaEncoders encoders;
    private final LoraAdapters adapters;

    EnginePromptStage(MediaEncoders encoders, LoraAdapters adapters) {
        this.encoders = encoders;
        this.adapters = adapters;
    }

    /** None for text-only, else the input mode's adapter (reference §5.2). */
    @Override
    public LoraAdapters.Weights adapters(EngineRequest request) {
        PreparedPrompt p = request.prepared;
        return p == null || adapters == null
                ? null
                : adapters.forAdapter(p.expanded.mode().adapter());
    }

    @Override
    public LastLogits prefill(EngineRequest request, DecodingSession session, long[] prompt) {
        session.useAdapters(adapters(request));
        PreparedPrompt p = request.prepared;
        if (p == null) {
            return session.prefill(prompt, null, null);
        }
        Tensor image = null;
        Tensor audio = null;
        try {
            if (p.vision != null) {
                image = encoders.encodeImages(p.vision, p.expanded.imageTokens());
            }
            if (p.speech != null) {
                audio = encoders.encodeAudio(p.speech, p.expanded.mode(), p.expanded.audioTokens());
            }
            request.releaseMedia();
            p.expanded.requireFeatureRows(image == null ? 0 : image.dim(0), audio == null ? 0 : audio.dim(0));
            return session.prefill(prompt, image, audio);
        } finally {
            if (image != null) {
                image.close();
            }
            if (audio != null) {
                audio.close();
            }
        }
    }
}

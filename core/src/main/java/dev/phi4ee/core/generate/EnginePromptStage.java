package dev.phi4ee.core.generate;

import java.util.Set;

/**
 * The engine's prompt stage for batched requests: {@link RequestRun#prefill} (vision/speech encoders, the adapter of
 * the request's input mode, embedding + decoder prefill) on the row's session, which runs alone in its slot.
 */
final class EnginePromptStage implements BatchRow.PromptStage {
    private final Set<Integer> eosIds;
    private final MediaEncoders encoders;
    private final LoraAdapters adapters;

    EnginePromptStage(Set<Integer> eosIds, MediaEncoders encoders, LoraAdapters adapters) {
        this.eosIds = eosIds;
        this.encoders = encoders;
        this.adapters = adapters;
    }

    /** As {@link RequestRun#prefill} chooses: none for text-only, else the input mode's adapter (reference §5.2). */
    @Override
    public LoraAdapters.Weights adapters(EngineRequest request) {
        PreparedPrompt p = request.prepared;
        return p == null || adapters == null
                ? null
                : adapters.forAdapter(p.expanded.mode().adapter());
    }

    @Override
    public LastLogits prefill(EngineRequest request, DecodingSession session, long[] prompt) {
        return new RequestRun(request, session, eosIds, null, encoders, adapters).prefill(prompt);
    }
}

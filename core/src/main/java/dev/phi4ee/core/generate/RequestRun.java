package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Timings;
import dev.phi4ee.core.api.TokenUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Decodes one request on a {@link DecodingSession}: prefill, then one token per step until an end-of-sequence id
 * (genai_config {@code eos_token_id}), {@code maxNewTokens}, a full context, cancellation or the deadline.
 */
final class RequestRun {
    private final EngineRequest request;
    private final DecodingSession session;
    private final Set<Integer> eosIds;
    private final TextCodec.TextStream text;

    RequestRun(EngineRequest request, DecodingSession session, Set<Integer> eosIds, TextCodec.TextStream text) {
        this.request = request;
        this.session = session;
        this.eosIds = eosIds;
        this.text = text;
    }

    GenerationResult run() {
        long start = System.nanoTime();
        Duration queued = Duration.ofNanos(start - request.acceptedNanos);
        FinishReason early = request.stopReason();
        if (early != null) {
            request.completeUnstarted(early);
            return null;
        }
        long[] prompt = new long[request.promptIds.length];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = request.promptIds[i];
        }
        StringBuilder out = new StringBuilder();
        List<Integer> ids = new ArrayList<>();
        LastLogits last = session.prefill(prompt, null, null);
        float[] logits = new float[last.vocab()];
        last.toFloats(logits);
        long firstToken = 0;
        FinishReason reason;
        int maxNew = request.options.maxNewTokens();
        int minNew = request.options.minNewTokens();
        while (true) {
            FinishReason stop = request.stopReason();
            if (stop != null) {
                reason = stop;
                break;
            }
            if (ids.size() < minNew) {
                for (int eos : eosIds) {
                    logits[eos] = Float.NEGATIVE_INFINITY;
                }
            }
            int token = request.chooser.choose(logits, ids.size());
            if (firstToken == 0) {
                firstToken = System.nanoTime();
            }
            if (eosIds.contains(token)) {
                reason = FinishReason.STOP;
                break;
            }
            ids.add(token);
            emit(text.append(token), out);
            if (ids.size() >= maxNew || session.length() >= session.capacity()) {
                reason = FinishReason.LENGTH;
                break;
            }
            session.next(token).toFloats(logits);
        }
        emit(text.flush(), out);
        long end = System.nanoTime();
        double seconds = (end - start) / 1e9;
        Timings timings = new Timings(
                queued,
                Duration.ofNanos((firstToken == 0 ? end : firstToken) - request.acceptedNanos),
                Duration.ofNanos(end - request.acceptedNanos),
                seconds > 0 ? ids.size() / seconds : 0);
        return new GenerationResult(
                out.toString(),
                reason,
                new TokenUsage(prompt.length, request.imageTokens, request.audioTokens, ids.size()),
                timings,
                ids);
    }

    private void emit(String delta, StringBuilder out) {
        if (delta != null && !delta.isEmpty()) {
            out.append(delta);
            request.listener.onText(delta);
        }
    }
}

package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.TensorFloatType;
import dev.phi4ee.core.api.Timings;
import dev.phi4ee.core.api.TokenUsage;
import dev.phi4ee.core.generate.sampling.LogitsRow;
import dev.phi4ee.core.generate.sampling.StopSequenceMatcher;
import dev.phi4ee.core.generate.sampling.TokenHistory;
import dev.phi4ee.core.generate.sampling.TokenSampler;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Decodes one request on a {@link DecodingSession}: prefill, then one token per step until an end-of-sequence id
 * (genai_config {@code eos_token_id}), a stop string (matched on the detokenized text and kept out of the output),
 * {@code maxNewTokens}, a full context, cancellation or the deadline. Logit processing reads the decoder's output
 * buffer in place ({@link LogitsRow}).
 */
final class RequestRun {
    private final EngineRequest request;
    private final DecodingSession session;
    private final Set<Integer> eosIds;
    private final TextCodec.TextStream text;

    private final MediaEncoders encoders;
    private final LoraAdapters adapters;

    RequestRun(
            EngineRequest request,
            DecodingSession session,
            Set<Integer> eosIds,
            TextCodec.TextStream text,
            MediaEncoders encoders,
            LoraAdapters adapters) {
        this.request = request;
        this.session = session;
        this.eosIds = eosIds;
        this.text = text;
        this.encoders = encoders;
        this.adapters = adapters;
    }

    /**
     * Prompt stage (reference §4.1): vision if images, speech if audio (projection by input mode), then the
     * embedding graph with both feature tensors and the decoder prefill. The request's LoRA adapter (§5.2) is set
     * before the first decoder run and stays for every step.
     */
    private LastLogits prefill(long[] prompt) {
        PreparedPrompt p = request.prepared;
        if (p == null) {
            session.useAdapters(null);
            return session.prefill(prompt, null, null);
        }
        session.useAdapters(
                adapters == null ? null : adapters.forAdapter(p.expanded.mode().adapter()));
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

    GenerationResult run() {
        long start = System.nanoTime();
        Duration queued = Duration.ofNanos(start - request.acceptedNanos);
        FinishReason early = request.stopReason();
        if (early != null) {
            request.completeUnstarted(early);
            return null;
        }
        int[] promptIds = request.promptIds;
        long[] prompt = new long[promptIds.length];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = promptIds[i];
        }
        StringBuilder out = new StringBuilder();
        List<Integer> ids = new ArrayList<>();
        StopSequenceMatcher stops = new StopSequenceMatcher(request.options.stopSequences());
        LastLogits last = prefill(prompt);
        TokenHistory history = new TokenHistory(last.vocab(), promptIds);
        TokenSampler sampler = request.chooser == null
                ? TokenSampler.create(
                        request.options,
                        last.vocab(),
                        eosIds.stream().mapToInt(Integer::intValue).toArray())
                : null;
        float[] scratch = sampler == null ? new float[last.vocab()] : null;
        long firstToken = 0;
        FinishReason reason;
        int maxNew = request.options.maxNewTokens();
        while (true) {
            FinishReason stop = request.stopReason();
            if (stop != null) {
                reason = stop;
                break;
            }
            int token = sampler != null ? sampler.next(row(last), history) : choose(last, scratch, ids.size());
            if (firstToken == 0) {
                firstToken = System.nanoTime();
            }
            if (eosIds.contains(token)) {
                reason = FinishReason.STOP;
                break;
            }
            ids.add(token);
            emit(stops.accept(text.append(token)), out);
            if (stops.stopped()) {
                reason = FinishReason.STOP;
                break;
            }
            if (ids.size() >= maxNew || session.length() >= session.capacity()) {
                reason = FinishReason.LENGTH;
                break;
            }
            last = session.next(token);
        }
        if (!stops.stopped()) {
            emit(stops.accept(text.flush()), out);
            emit(stops.flush(), out);
        }
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

    private static LogitsRow row(LastLogits l) {
        TensorFloatType t = l.type() == ElementType.FLOAT16 ? TensorFloatType.FLOAT16 : TensorFloatType.FLOAT32;
        return LogitsRow.of(l.buffer(), t, l.elementOffset(), l.vocab());
    }

    /** Custom choosers (tests) get a copy with end-of-sequence ids masked until {@code minNewTokens}. */
    private int choose(LastLogits last, float[] scratch, int generated) {
        last.toFloats(scratch);
        if (generated < request.options.minNewTokens()) {
            for (int eos : eosIds) {
                scratch[eos] = Float.NEGATIVE_INFINITY;
            }
        }
        return request.chooser.choose(scratch, generated);
    }

    private void emit(String delta, StringBuilder out) {
        if (delta != null && !delta.isEmpty()) {
            out.append(delta);
            request.listener.onText(delta);
        }
    }
}

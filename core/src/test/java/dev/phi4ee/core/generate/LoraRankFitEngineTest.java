package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.SessionSettings;
import dev.phi4ee.core.prompt.Adapter;
import dev.phi4ee.core.testkit.TestModelSpec;
import org.junit.jupiter.api.Test;

/**
 * The engine's decoder with both adapters (reference §5.2, §5.4 c): the kit's graph has LoRA rank 8, its speech
 * adapter rank 10, so {@link Phi4Graphs} widens the decoder to 10 and {@link LoraAdapters} loads the vision adapter
 * zero-padded. Each adapter then gives what it gives on a decoder built for its own rank, prefill and decode step.
 */
class LoraRankFitEngineTest {
    static final TestModelSpec BOTH =
            KitModels.spec().includeVision(true).includeSpeech(true).build();
    /** Vision only: nothing to widen, the vision adapter fits the rank-8 graph as it is. */
    static final TestModelSpec VISION_NATIVE =
            KitModels.spec().includeVision(true).build();
    /** A graph built at rank 10 with the same rank-10 speech adapter. */
    static final TestModelSpec SPEECH_NATIVE =
            KitModels.spec().includeSpeech(true).loraRank(10).speechLoraRank(10).build();

    static final long[] PROMPT = DecodingSessionTest.prompt(10, 9);

    /** Prefill logits and the logits of one greedy decode step with {@code adapter} active. */
    static float[][] run(TestModelSpec spec, Adapter adapter) {
        ModelDirectory dir = ModelDirectory.open(KitModels.dir(spec));
        try (Phi4Graphs g = Phi4Graphs.open(dir, SessionSettings.cpu(1));
                LoraAdapters adapters = new LoraAdapters(dir, g);
                DecodingSession s = new DecodingSession(g, true, 64, 4096)) {
            assertThat(adapters.has(adapter)).isTrue();
            s.useAdapters(adapters.forAdapter(adapter));
            float[] prefill = s.prefill(PROMPT, null, null).toFloats();
            float[] step = s.next(TokenChooser.argmax(prefill)).toFloats();
            return new float[][] {prefill, step};
        }
    }

    static float[] base(TestModelSpec spec) {
        try (Phi4Graphs g = KitModels.open(spec);
                DecodingSession s = new DecodingSession(g, true, 64, 4096)) {
            return s.prefill(PROMPT, null, null).toFloats();
        }
    }

    @Test
    void speechAdapterOnWidenedDecoderEqualsNativeRankDecoder() {
        float[][] widened = run(BOTH, Adapter.SPEECH);
        float[][] nativeRank = run(SPEECH_NATIVE, Adapter.SPEECH);
        assertThat(DecodingSessionTest.maxAbsDiff(nativeRank[0], base(SPEECH_NATIVE)))
                .isGreaterThan(0.5f);
        assertThat(DecodingSessionTest.maxAbsDiff(widened[0], nativeRank[0])).isLessThan(1e-4f);
        assertThat(DecodingSessionTest.maxAbsDiff(widened[1], nativeRank[1])).isLessThan(1e-4f);
    }

    @Test
    void paddedVisionAdapterOnWidenedDecoderEqualsItselfOnTheOriginalDecoder() {
        float[][] widened = run(BOTH, Adapter.VISION);
        float[][] original = run(VISION_NATIVE, Adapter.VISION);
        assertThat(DecodingSessionTest.maxAbsDiff(original[0], base(VISION_NATIVE)))
                .isGreaterThan(0.5f);
        assertThat(DecodingSessionTest.maxAbsDiff(widened[0], original[0])).isLessThan(1e-4f);
        assertThat(DecodingSessionTest.maxAbsDiff(widened[1], original[1])).isLessThan(1e-4f);
    }

    @Test
    void noAdapterOnWidenedDecoderEqualsTheOriginalDecoder() {
        assertThat(DecodingSessionTest.maxAbsDiff(base(BOTH), base(VISION_NATIVE)))
                .isLessThan(1e-4f);
    }
}

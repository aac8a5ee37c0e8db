package dev.phi4ee.core.testkit;

import static dev.phi4ee.core.testkit.DecoderRunner.maxAbsDiff;
import static dev.phi4ee.core.testkit.DecoderRunner.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.testkit.OrtTestSession.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.onnxruntime.LoraAdapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kit's adapter files load in ONNX Runtime and drive the text graph's zero-default LoRA inputs (reference §5.1);
 * the speech adapter's larger rank does not fit the graph, as in the release (§5.3).
 */
class LoraAdapterTest {
    static final TestModelSpec SPEC = TestModelSpec.defaults();
    static Path dir;
    static DecoderRunner model;

    @BeforeAll
    static void open() {
        dir = Phi4TestModels.shared(SPEC);
        model = new DecoderRunner(dir, SPEC);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static final long[] PROMPT = {9_906, 11, 1_917, 382};

    Map<String, Tensor> inputs() {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("inputs_embeds", model.embed(PROMPT));
        in.put("attention_mask", DecoderRunner.ones(PROMPT.length));
        for (int i = 0; i < SPEC.layers(); i++) {
            in.put("past_key_values." + i + ".key", model.emptyPast());
            in.put("past_key_values." + i + ".value", model.emptyPast());
        }
        return in;
    }

    @Test
    void visionAdapterChangesLogitsExactlyLikeFeedingItsTensors() {
        float[] base = row(model.text.run(inputs()).get("logits"), PROMPT.length - 1);
        float[] withAdapter;
        try (LoraAdapter adapter = OrtTestSession.loadAdapter(dir.resolve(LoraAdapters.VISION_FILE))) {
            withAdapter = row(model.text.runWithAdapter(inputs(), adapter).get("logits"), PROMPT.length - 1);
            // Pitfall for the runtime: with IoBinding (Session::Run(RunOptions, IoBinding)) ORT ignores the
            // RunOptions' active adapters; bind the adapter's tensors as inputs instead (same result as below).
            float[] bound = row(model.text.run(inputs(), adapter).get("logits"), PROMPT.length - 1);
            assertThat(bound).containsExactly(base);
        }
        Map<String, Tensor> fed = inputs();
        for (var t : LoraAdapters.tensors(SPEC, "vision", SPEC.loraRank())) {
            fed.put(t.name(), Tensor.f32(t.values(), t.dims()));
        }
        float[] withInputs = row(model.text.run(fed).get("logits"), PROMPT.length - 1);

        assertThat(maxAbsDiff(base, withAdapter)).isGreaterThan(0.5);
        assertThat(maxAbsDiff(withAdapter, withInputs)).isLessThan(1e-5);
    }

    @Test
    void speechAdapterOfLargerRankIsRejectedByTheGraph() {
        assertThat(SPEC.speechLoraRank()).isEqualTo(10);
        try (LoraAdapter adapter = OrtTestSession.loadAdapter(dir.resolve(LoraAdapters.SPEECH_FILE))) {
            assertThatThrownBy(() -> model.text.runWithAdapter(inputs(), adapter))
                    .isInstanceOf(RuntimeException.class)
                    .hasMessageContaining("lora_A");
        }
    }
}

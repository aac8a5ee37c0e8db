package dev.phi4ee.core.testkit;

import static dev.phi4ee.core.testkit.DecoderRunner.argmax;
import static dev.phi4ee.core.testkit.DecoderRunner.maxAbsDiff;
import static dev.phi4ee.core.testkit.DecoderRunner.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.model.lora.LoraRankFit;
import dev.phi4ee.core.model.lora.LoraRankPlan;
import dev.phi4ee.core.model.onnx.Onnx;
import dev.phi4ee.core.testkit.OrtTestSession.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.onnxruntime.LoraAdapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rank widening through ONNX Runtime on the kit model (reference §5.3 defect 2, §5.4 option c): the kit's text
 * graph has LoRA rank 8 like its vision adapter, its speech adapter has rank 10 (the release's 256 vs 320). After
 * widening the graph once to 10 and zero-padding the vision adapter, each adapter computes exactly what it computes
 * on a graph built for its own rank.
 */
class LoraRankFitTest {
    static final TestModelSpec SPEC = TestModelSpec.defaults();
    static final long[] PROMPT = {9_906, 11, 1_917, 382, 4_521};
    /** fp32 rounding: the LoRA MatMuls sum over 10 instead of 8 terms (the extra ones +0), in other blocks. */
    static final double FP32_ROUNDING = 1e-4;

    @TempDir
    static Path tmp;

    static Path dir;
    static LoraRankPlan plan;
    static DecoderRunner base;
    static OrtTestSession widened;

    @BeforeAll
    static void open() {
        dir = Phi4TestModels.write(tmp.resolve("rank8"), SPEC);
        plan = LoraRankFit.plan(
                dir.resolve(Phi4TestModels.TEXT_FILE),
                List.of(dir.resolve(LoraAdapters.VISION_FILE), dir.resolve(LoraAdapters.SPEECH_FILE)));
        base = new DecoderRunner(dir, SPEC);
        widened = new OrtTestSession(writeBeside(dir, "phi-4-mm-text.widened.onnx", plan.decoder()));
    }

    @AfterAll
    static void close() {
        base.close();
        widened.close();
    }

    /** The widened graph written beside the original, so its external-data locations resolve unchanged. */
    static Path writeBeside(Path dir, String name, LoraRankPlan.FittedGraph graph) {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            graph.writeWidened(out);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The widened graph, parsed (small kit graphs only). */
    static Onnx.ModelProto parse(LoraRankPlan.FittedGraph graph) {
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(graph.widenedSize()));
        graph.writeWidened(bytes);
        try {
            return Onnx.ModelProto.parseFrom(bytes.flip());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    Map<String, Tensor> inputs() {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("inputs_embeds", base.embed(PROMPT));
        in.put("attention_mask", DecoderRunner.ones(PROMPT.length));
        for (int i = 0; i < SPEC.layers(); i++) {
            in.put("past_key_values." + i + ".key", base.emptyPast());
            in.put("past_key_values." + i + ".value", base.emptyPast());
        }
        return in;
    }

    static LoraAdapter adapter(byte[] bytes) {
        try (BytePointer data = new BytePointer(bytes)) {
            return LoraAdapter.CreateLoraAdapterFromArray(data, bytes.length, null);
        }
    }

    static float[] lastLogits(Map<String, Tensor> out) {
        return row(out.get("logits"), PROMPT.length - 1);
    }

    static void assertSame(float[] actual, float[] expected, double tolerance) {
        assertThat(maxAbsDiff(actual, expected)).isLessThanOrEqualTo(tolerance);
        assertThat(argmax(actual)).isEqualTo(argmax(expected));
    }

    @Test
    void planWidensTheGraphToTheSpeechRankAndPadsOnlyTheVisionAdapter() {
        assertThat(plan.decoder().isPatched()).isTrue();
        assertThat(plan.decoder().rank()).isEqualTo(10);
        LoraRankPlan.FittedAdapter vision =
                plan.adapter(dir.resolve(LoraAdapters.VISION_FILE)).orElseThrow();
        LoraRankPlan.FittedAdapter speech =
                plan.adapter(dir.resolve(LoraAdapters.SPEECH_FILE)).orElseThrow();
        assertThat(vision.rank()).isEqualTo(8);
        assertThat(vision.isPadded()).isTrue();
        assertThat(speech.rank()).isEqualTo(10);
        assertThat(speech.isPadded()).isFalse();
        String a0 = Phi4TestModels.loraInputName(0, "attn.q_proj", 'A');
        Onnx.GraphProto g = parse(plan.decoder()).getGraph();
        assertThat(g.getInputList().stream()
                        .filter(i -> i.getName().equals(a0))
                        .findFirst()
                        .orElseThrow()
                        .getType()
                        .getTensorType()
                        .getShape()
                        .getDimList())
                .extracting(Onnx.TensorShapeProto.Dimension::getDimValue)
                .containsExactly((long) SPEC.hidden(), 10L);
        assertThat(g.getInitializerList().stream()
                        .filter(i -> i.getName().equals(a0))
                        .findFirst()
                        .orElseThrow()
                        .getDimsList())
                .containsExactly((long) SPEC.hidden(), 10L);
        // The big weights stay in the original .onnx.data, referenced by the same relative location.
        assertThat(g.getInitializerList().stream()
                        .filter(i -> i.getName().equals("lm_head.MatMul.weight"))
                        .findFirst()
                        .orElseThrow()
                        .getExternalDataList())
                .anySatisfy(e -> assertThat(e.getValue()).isEqualTo(Phi4TestModels.TEXT_FILE + ".data"));
    }

    @Test
    void unpatchedGraphRejectsTheLargerRankAdapter() {
        try (LoraAdapter speech = OrtTestSession.loadAdapter(dir.resolve(LoraAdapters.SPEECH_FILE))) {
            assertThatThrownBy(() -> base.text.runWithAdapter(inputs(), speech))
                    .isInstanceOf(RuntimeException.class)
                    .hasMessageContaining("lora_A");
        }
    }

    @Test
    void paddedAdapterOnWidenedGraphEqualsOriginalAdapterOnOriginalGraph() {
        float[] original;
        try (LoraAdapter vision = OrtTestSession.loadAdapter(dir.resolve(LoraAdapters.VISION_FILE))) {
            original = lastLogits(base.text.runWithAdapter(inputs(), vision));
        }
        float[] padded;
        byte[] paddedBytes = plan.adapter(dir.resolve(LoraAdapters.VISION_FILE))
                .orElseThrow()
                .paddedBytes();
        try (LoraAdapter vision = adapter(paddedBytes)) {
            padded = lastLogits(widened.runWithAdapter(inputs(), vision));
        }
        float[] plain = lastLogits(base.text.run(inputs()));
        assertThat(maxAbsDiff(original, plain)).isGreaterThan(0.5); // the adapter matters
        assertSame(padded, original, FP32_ROUNDING);
    }

    @Test
    void nativeRankAdapterOnWidenedGraphEqualsGraphBuiltForThatRank() {
        Path nativeDir = Phi4TestModels.write(
                tmp.resolve("rank10"), SPEC.toBuilder().loraRank(10).build());
        Path speechFile = dir.resolve(LoraAdapters.SPEECH_FILE);
        float[] onWidened;
        float[] onNative;
        try (LoraAdapter speech = OrtTestSession.loadAdapter(speechFile);
                OrtTestSession nativeText = new OrtTestSession(nativeDir.resolve(Phi4TestModels.TEXT_FILE))) {
            onWidened = lastLogits(widened.runWithAdapter(inputs(), speech));
            onNative = lastLogits(nativeText.runWithAdapter(inputs(), speech));
            // and without adapters the two rank-10 graphs are the base model
            assertSame(lastLogits(nativeText.run(inputs())), lastLogits(widened.run(inputs())), 0);
        }
        float[] plain = lastLogits(base.text.run(inputs()));
        assertThat(maxAbsDiff(onNative, plain)).isGreaterThan(0.5);
        assertSame(onWidened, onNative, FP32_ROUNDING);
    }

    @Test
    void noAdapterOnWidenedGraphEqualsBaseGraph() {
        assertSame(lastLogits(widened.run(inputs())), lastLogits(base.text.run(inputs())), FP32_ROUNDING);
    }

    @Test
    void paddingFurtherChangesNothing() {
        // Widen to 16 (beyond every adapter) by planning with a rank-16 adapter, then run the speech adapter padded
        // from 10 to 16: same logits as the speech adapter on the rank-10 graph.
        Path wideDir = tmp.resolve("rank16");
        Phi4TestModels.write(wideDir, SPEC.toBuilder().speechLoraRank(16).build());
        Path speech10 = dir.resolve(LoraAdapters.SPEECH_FILE);
        LoraRankPlan plan16 = LoraRankFit.plan(
                dir.resolve(Phi4TestModels.TEXT_FILE), List.of(wideDir.resolve(LoraAdapters.SPEECH_FILE), speech10));
        assertThat(plan16.decoder().rank()).isEqualTo(16);
        byte[] speechPadded = plan16.adapter(speech10).orElseThrow().paddedBytes();
        assertThat(speechPadded).isNotNull();
        float[] at16;
        float[] at10;
        try (OrtTestSession graph16 =
                        new OrtTestSession(writeBeside(dir, "phi-4-mm-text.rank16.onnx", plan16.decoder()));
                LoraAdapter padded = adapter(speechPadded);
                LoraAdapter speech = OrtTestSession.loadAdapter(speech10)) {
            at16 = lastLogits(graph16.runWithAdapter(inputs(), padded));
            at10 = lastLogits(widened.runWithAdapter(inputs(), speech));
        }
        assertSame(at16, at10, FP32_ROUNDING);
    }

    @Test
    void nothingIsCopiedWhenEveryAdapterFits() {
        LoraRankPlan fits =
                LoraRankFit.plan(dir.resolve(Phi4TestModels.TEXT_FILE), List.of(dir.resolve(LoraAdapters.VISION_FILE)));
        assertThat(fits.decoder().isPatched()).isFalse();
        assertThat(fits.decoder().rank()).isEqualTo(8);
        assertThat(fits.adapters()).singleElement().satisfies(a -> assertThat(a.isPadded())
                .isFalse());
    }

    @Test
    void fp16VariantWidensItsReshapeShapeConstantsToo() {
        // The fp16 kit graph feeds each LoRA input through Reshape(value, [rows, cols]) before the Cast (see
        // TextGraph.loraInput): the restated shape constant must be widened with the input.
        TestModelSpec fp16 =
                SPEC.toBuilder().floatType(TestModelSpec.FloatType.FP16).build();
        Path dir16 = Phi4TestModels.write(tmp.resolve("fp16-rank8"), fp16);
        Path native16 = Phi4TestModels.write(
                tmp.resolve("fp16-rank10"), fp16.toBuilder().loraRank(10).build());
        Path speech = dir16.resolve(LoraAdapters.SPEECH_FILE);
        LoraRankPlan plan16 = LoraRankFit.plan(dir16.resolve(Phi4TestModels.TEXT_FILE), List.of(speech));
        assertThat(plan16.decoder().rank()).isEqualTo(10);
        try (DecoderRunner base16 = new DecoderRunner(dir16, fp16);
                OrtTestSession widened16 =
                        new OrtTestSession(writeBeside(dir16, "phi-4-mm-text.widened.onnx", plan16.decoder()));
                OrtTestSession nativeText = new OrtTestSession(native16.resolve(Phi4TestModels.TEXT_FILE));
                LoraAdapter adapter = OrtTestSession.loadAdapter(speech)) {
            Map<String, Tensor> in = new LinkedHashMap<>();
            in.put("inputs_embeds", base16.embed(PROMPT));
            in.put("attention_mask", DecoderRunner.ones(PROMPT.length));
            for (int i = 0; i < fp16.layers(); i++) {
                in.put("past_key_values." + i + ".key", base16.emptyPast());
                in.put("past_key_values." + i + ".value", base16.emptyPast());
            }
            float[] onNative = lastLogits(nativeText.runWithAdapter(in, adapter));
            float[] onWidened = lastLogits(widened16.runWithAdapter(in, adapter));
            assertThat(maxAbsDiff(onNative, lastLogits(base16.text.run(in)))).isGreaterThan(0.5);
            assertSame(onWidened, onNative, 0.02); // fp16 logits: a few ulps at |logit| ~ 10
            assertSame(lastLogits(widened16.run(in)), lastLogits(base16.text.run(in)), 0.02);
        }
    }
}

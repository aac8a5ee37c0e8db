package dev.phi4ee.core.model.lora;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.generate.Phi4Graphs;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.model.onnx.OnnxAdapterFormat;
import dev.phi4ee.core.ort.Binding;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.OrtSession;
import dev.phi4ee.core.ort.SessionSettings;
import dev.phi4ee.core.ort.Tensor;
import dev.phi4ee.core.testkit.LoraAdapters;
import dev.phi4ee.core.testkit.Phi4Ids;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime path end to end: {@link LoraRankFit#plan(ModelDirectory)}, the widened graph opened from memory by
 * {@link OrtSession#open(Path, long, java.util.function.Consumer, SessionSettings)} from native memory (its
 * {@code .onnx.data} resolved in the model directory),
 * adapter tensors bound as inputs through IoBinding (ONNX Runtime ignores RunOptions' active adapters with
 * IoBinding). Compared against a graph the kit built natively at the speech adapter's rank.
 */
class LoraRankFitSessionTest {
    static final TestModelSpec SPEC = TestModelSpec.defaults();
    static final int TOKENS = 3;

    @TempDir
    Path tmp;

    @Test
    void widenedGraphFromMemoryWithBoundSpeechTensorsEqualsNativeGraph() throws IOException {
        Path dir = Phi4TestModels.write(tmp.resolve("rank8"), SPEC);
        Path nativeDir = Phi4TestModels.write(
                tmp.resolve("rank10"), SPEC.toBuilder().loraRank(10).build());
        LoraRankPlan plan = LoraRankFit.plan(ModelDirectory.open(dir));
        assertThat(plan.decoder().isPatched()).isTrue();
        assertThat(plan.adapters()).hasSize(2);
        Path speech = dir.resolve(LoraAdapters.SPEECH_FILE);
        assertThat(plan.adapter(speech).orElseThrow().isPadded()).isFalse();
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()))
                .noneMatch(n -> n.contains("widen")); // nothing written beside the model

        OnnxAdapterFormat.Adapter adapter = OnnxAdapterFormat.decode(Files.readAllBytes(speech));
        SessionSettings cpu = SessionSettings.cpu(1);
        LoraRankPlan.FittedGraph graph = plan.decoder();
        try (OrtSession widened = OrtSession.open(graph.file(), graph.widenedSize(), graph::writeWidened, cpu);
                OrtSession nativeGraph = OrtSession.open(nativeDir.resolve(Phi4TestModels.TEXT_FILE), cpu)) {
            float[] onWidened = lastLogits(widened, adapter);
            float[] onNative = lastLogits(nativeGraph, adapter);
            float[] base = lastLogits(nativeGraph, null);
            assertThat(maxAbsDiff(onNative, base)).isGreaterThan(0.5);
            assertThat(maxAbsDiff(onWidened, onNative)).isLessThan(1e-4);
        }
    }

    @Test
    void phi4GraphsOpensTheWidenedDecoderAndKeepsThePlan() {
        Path dir = Phi4TestModels.write(tmp.resolve("model"), SPEC);
        try (Phi4Graphs graphs = Phi4Graphs.open(ModelDirectory.open(dir), SessionSettings.cpu(1))) {
            LoraRankPlan plan = graphs.loraPlan();
            assertThat(plan.decoder().rank()).isEqualTo(SPEC.speechLoraRank());
            assertThat(plan.decoder().isPatched()).isTrue();
            assertThat(plan.decoder().widened()).isNull(); // the graph file is not kept mapped beside the session
            assertThat(plan.adapter(dir.resolve(LoraAdapters.VISION_FILE))
                            .orElseThrow()
                            .isPadded())
                    .isTrue();
            // The widened decoder accepts the speech adapter's rank-10 tensors (the original graph rejects them).
            OnnxAdapterFormat.Adapter speech;
            try {
                speech = OnnxAdapterFormat.decode(Files.readAllBytes(dir.resolve(LoraAdapters.SPEECH_FILE)));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            assertThat(maxAbsDiff(lastLogits(graphs.decoder(), speech), lastLogits(graphs.decoder(), null)))
                    .isGreaterThan(0.5);
        }
    }

    /** One prompt pass over seeded embeddings, {@code adapter}'s tensors (if any) bound as inputs. */
    static float[] lastLogits(OrtSession session, OnnxAdapterFormat.Adapter adapter) {
        List<Tensor> tensors = new ArrayList<>();
        try (Binding binding = session.newBinding()) {
            Tensor embeds = track(tensors, Tensor.allocate(ElementType.FLOAT, 1, TOKENS, SPEC.hidden()));
            Random random = new Random(3);
            for (int i = 0; i < TOKENS * SPEC.hidden(); i++) {
                embeds.putFloat(i, (float) random.nextGaussian());
            }
            binding.input("inputs_embeds", embeds);
            Tensor mask = track(tensors, Tensor.allocate(ElementType.INT64, 1, TOKENS));
            for (int i = 0; i < TOKENS; i++) {
                mask.putLong(i, 1);
            }
            binding.input("attention_mask", mask);
            for (int l = 0; l < SPEC.layers(); l++) {
                for (String kind : new String[] {"key", "value"}) {
                    binding.input(
                            "past_key_values." + l + "." + kind,
                            track(tensors, Tensor.allocate(ElementType.FLOAT, 1, SPEC.kvHeads(), 0, SPEC.headSize())));
                }
            }
            if (adapter != null) {
                for (OnnxAdapterFormat.Parameter p : adapter.parameters()) {
                    Tensor t = track(tensors, Tensor.allocate(ElementType.FLOAT, p.dims()));
                    t.buffer().put(0, p.data());
                    binding.input(p.name(), t);
                }
            }
            Tensor logits = track(tensors, Tensor.allocate(ElementType.FLOAT, 1, TOKENS, Phi4Ids.VOCAB_SIZE));
            binding.output("logits", logits);
            session.run(binding);
            float[] last = new float[Phi4Ids.VOCAB_SIZE];
            logits.readFloats((long) (TOKENS - 1) * Phi4Ids.VOCAB_SIZE, last, last.length);
            return last;
        } finally {
            tensors.forEach(Tensor::close);
        }
    }

    static Tensor track(List<Tensor> tensors, Tensor t) {
        tensors.add(t);
        return t;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}

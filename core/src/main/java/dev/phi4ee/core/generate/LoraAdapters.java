package dev.phi4ee.core.generate;

import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.model.lora.LoraAdapterContent;
import dev.phi4ee.core.model.lora.LoraRankPlan;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.ort.Tensor;
import dev.phi4ee.core.ort.TensorInfo;
import dev.phi4ee.core.prompt.Adapter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decoder's LoRA adapters, loaded once and activated per request by input mode (reference §5.2): vision for
 * requests with images, speech for audio-only requests, none for text. Unlike onnxruntime-genai (§5.3, defect 1),
 * the adapter really is active on every decoder run of the request.
 *
 * <p>The adapter's tensors are bound as the decoder's LoRA inputs (overridable initializers) through the IoBinding:
 * ONNX Runtime applies {@code RunOptions}' active adapters only on its name/value {@code Run} path and silently ignores
 * them with IoBinding (found by the test kit, confirmed by {@code MultimodalPipelineTest}).
 *
 * <p>Each adapter is read once: {@code LoraRankFit} indexed and validated it, and its tensors are copied from the
 * mapped file straight into their native buffers (zero-padded where needed), so a 313 MB adapter never lands on the
 * Java heap. Each adapter's parameters are checked against the text graph's LoRA inputs (name, shape and type) at
 * load time. An adapter that does not fit — the release's rank-320 speech adapter against rank-256 LoRA nodes (§5.3, defect 2) — is
 * made to fit by {@link Phi4Graphs}, which widens the graph's LoRA rank once at load time ({@code LoraRankFit}, §5.4 c);
 * the smaller adapter comes zero-padded from its plan. An adapter that still does not fit is not activated and a
 * warning names the first mismatching tensor.
 */
final class LoraAdapters implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoraAdapters.class);

    /** The tensors of one adapter, keyed by the decoder input they feed. */
    record Weights(Adapter adapter, Map<String, Tensor> tensors) {}

    private final Map<Adapter, Weights> loaded = new EnumMap<>(Adapter.class);

    LoraAdapters(ModelDirectory dir, Phi4Graphs graphs) {
        List<TensorInfo> loraInputs = graphs.decoder().overridableInitializers();
        load(Adapter.VISION, dir.visionAdapter(), loraInputs, graphs.loraPlan(), graphs.placement());
        load(Adapter.SPEECH, dir.speechAdapter(), loraInputs, graphs.loraPlan(), graphs.placement());
    }

    private void load(
            Adapter which, Optional<Path> file, List<TensorInfo> loraInputs, LoraRankPlan plan, Placement placement) {
        if (file.isEmpty()) {
            return;
        }
        Path f = file.get();
        // The plan validated the adapter and knows its layout; tensors come from the file, zero-padded where the
        // decoder's LoRA rank was widened to a larger adapter's (§5.4 c), straight into their native memory.
        LoraRankPlan.FittedAdapter fitted = plan.adapter(f)
                .orElseThrow(() -> new IllegalStateException(f.getFileName() + " is not in the LoRA rank plan"));
        List<LoraAdapterContent.PaddedTensor> parameters = fitted.tensors();
        String misfit = misfit(parameters, loraInputs);
        if (misfit != null) {
            String mode = which.name().toLowerCase(java.util.Locale.ROOT);
            LOG.warn(
                    "{} adapter {} does not fit the text graph ({}); {} requests run without it",
                    mode,
                    f.getFileName(),
                    misfit,
                    mode);
            return;
        }
        Map<String, Tensor> tensors = new java.util.LinkedHashMap<>();
        try {
            for (LoraAdapterContent.PaddedTensor p : parameters) {
                ElementType type = ElementType.fromOnnxCode(p.dataType()).orElseThrow();
                Tensor t = Tensor.allocate(type, p.dims());
                java.nio.ByteBuffer dst = t.buffer();
                if (dst.order() != java.nio.ByteOrder.LITTLE_ENDIAN) {
                    t.close();
                    throw new UnsupportedOperationException(
                            "adapter files are little-endian; big-endian hosts unsupported");
                }
                p.writeTo(dst);
                tensors.put(p.name(), placement.isHost() ? t : upload(t, placement));
            }
        } catch (RuntimeException e) {
            tensors.values().forEach(Tensor::close);
            throw e;
        }
        loaded.put(which, new Weights(which, java.util.Collections.unmodifiableMap(tensors)));
    }

    /**
     * The adapter's weights are decoder inputs on every run of its requests: on a device they are copied there once,
     * at load, instead of by ONNX Runtime on every step.
     */
    private static Tensor upload(Tensor host, Placement placement) {
        try (host) {
            Tensor device = placement.allocate(host.type(), host.shape());
            try {
                placement.copy(List.of(host), List.of(device));
            } catch (RuntimeException e) {
                device.close();
                throw e;
            }
            return device;
        }
    }

    /** Null when every adapter tensor matches a LoRA input of the graph, else what does not. */
    static String misfit(List<LoraAdapterContent.PaddedTensor> parameters, List<TensorInfo> loraInputs) {
        for (LoraAdapterContent.PaddedTensor p : parameters) {
            TensorInfo in = loraInputs.stream()
                    .filter(t -> t.name().equals(p.name()))
                    .findFirst()
                    .orElse(null);
            if (in == null) {
                return "no LoRA input named " + p.name();
            }
            long[] want = in.shape();
            long[] have = p.dims();
            boolean fits = want.length == have.length;
            for (int i = 0; fits && i < want.length; i++) {
                fits = want[i] < 0 || want[i] == have[i];
            }
            if (!fits || in.onnxType() != p.dataType()) {
                return p.name() + " is " + Arrays.toString(have) + ", the graph expects " + in.shapeLabel();
            }
        }
        return null;
    }

    /** The request's adapter weights, or null for the graph's own zero LoRA weights. */
    Weights forAdapter(Adapter adapter) {
        return loaded.get(adapter);
    }

    boolean has(Adapter adapter) {
        return loaded.containsKey(adapter);
    }

    @Override
    public void close() {
        loaded.values().forEach(w -> w.tensors().values().forEach(Tensor::close));
        loaded.clear();
    }
}

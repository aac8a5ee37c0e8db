package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.ExecutionProviderException;
import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.model.GenaiConfig;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.model.Phi4Contracts;
import dev.phi4ee.core.model.lora.LoraRankFit;
import dev.phi4ee.core.model.lora.LoraRankPlan;
import dev.phi4ee.core.model.onnx.ExternalDataLinks;
import dev.phi4ee.core.model.onnx.OnnxGraphRewrite;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.ExecutionProviderFailure;
import dev.phi4ee.core.ort.OrtFailure;
import dev.phi4ee.core.ort.OrtSession;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.ort.SessionDevices;
import dev.phi4ee.core.ort.SessionSettings;
import dev.phi4ee.core.ort.TensorInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The four sessions of a model directory, created once and validated against the contract (reference §3) before
 * anything runs. Element types are taken from the graphs, never assumed: the fp16 release and the fp32 test variant
 * run through the same code.
 */
public final class Phi4Graphs implements AutoCloseable {
    private final ModelDirectory directory;
    private final OrtSession embedding;
    private final OrtSession decoder;
    private final Optional<OrtSession> vision;
    private final Optional<OrtSession> speech;
    private final ElementType embedsType;
    private final ElementType kvType;
    private final ElementType logitsType;
    private final ElementType imageFeaturesType;
    private final ElementType audioFeaturesType;
    private final LoraRankPlan loraPlan;
    private final Placement placement;

    private Phi4Graphs(
            ModelDirectory directory,
            OrtSession embedding,
            OrtSession decoder,
            Optional<OrtSession> vision,
            Optional<OrtSession> speech,
            LoraRankPlan loraPlan,
            Placement placement) {
        this.directory = directory;
        this.placement = placement;
        this.loraPlan = loraPlan.withoutWidenedGraph(); // the session has the graph now
        this.embedding = embedding;
        this.decoder = decoder;
        this.vision = vision;
        this.speech = speech;
        GenaiConfig c = directory.config();
        this.embedsType = typeOf(decoder.inputs(), c.decoder().inputsEmbeds());
        this.kvType = typeOf(decoder.inputs(), c.decoder().pastKeyName(0));
        this.logitsType = typeOf(decoder.outputs(), c.decoder().logits());
        this.imageFeaturesType = typeOf(embedding.inputs(), c.embedding().imageFeatures());
        this.audioFeaturesType = typeOf(embedding.inputs(), c.embedding().audioFeatures());
    }

    /**
     * Creates and validates every configured session.
     *
     * @throws ModelFormatException when ONNX Runtime rejects a file or a signature breaks the contract
     */
    public static Phi4Graphs open(ModelDirectory dir, SessionSettings settings) {
        return open(dir, settings, Placement.Kind.AUTO);
    }

    /**
     * As {@link #open(ModelDirectory, SessionSettings)}, with the memory of the KV cache, feature tensors and
     * embeddings chosen by {@code placement} ({@code AUTO}: the decoder's device memory on CUDA, host memory on the
     * CPU; {@code DEVICE} on the CPU runs the device code path, for tests).
     */
    public static Phi4Graphs open(ModelDirectory dir, SessionSettings settings, Placement.Kind placement) {
        List<OrtSession> opened = new ArrayList<>();
        try {
            OrtSession embedding = track(opened, openOne(dir, dir.embeddingFile(), settings));
            // Adapter ranks that do not fit the decoder's LoRA inputs widen them once, here (reference §5.4 c).
            LoraRankPlan lora = LoraRankFit.plan(dir);
            // The decoder's own CUDA options from genai_config.json, on top of ours (as onnxruntime-genai applies them)
            SessionSettings decoderSettings = settings.withCuda(
                    settings.cuda().with(dir.config().decoder().providerOptions("cuda")));
            OrtSession decoder = track(opened, openDecoder(dir, lora.decoder(), decoderSettings));
            Optional<OrtSession> vision = dir.visionFile().map(f -> track(opened, openOne(dir, f, settings)));
            Optional<OrtSession> speech = dir.speechFile().map(f -> track(opened, openOne(dir, f, settings)));
            validate(dir.config(), embedding, decoder, vision, speech);
            requireOneDevice(decoder, embedding, vision, speech);
            return new Phi4Graphs(dir, embedding, decoder, vision, speech, lora, Placement.of(decoder, placement));
        } catch (RuntimeException e) {
            opened.forEach(OrtSession::close);
            throw e;
        }
    }

    /** All sessions on the decoder's device, or a typed error naming each session's provider. */
    private static void requireOneDevice(
            OrtSession decoder, OrtSession embedding, Optional<OrtSession> vision, Optional<OrtSession> speech) {
        Map<String, String> providers = new LinkedHashMap<>();
        for (OrtSession s : List.of(decoder, embedding)) {
            providers.put(s.file().getFileName().toString(), s.executionProvider());
        }
        vision.ifPresent(s -> providers.put(s.file().getFileName().toString(), s.executionProvider()));
        speech.ifPresent(s -> providers.put(s.file().getFileName().toString(), s.executionProvider()));
        SessionDevices.mismatch(providers).ifPresent(message -> {
            throw new ExecutionProviderException(message, ExecutionProviderException.Reason.MIXED_DEVICES, null, null);
        });
    }

    private static OrtSession track(List<OrtSession> opened, OrtSession s) {
        opened.add(s);
        return s;
    }

    /**
     * Opens {@code file}; when its external data are links leaving its folder (a Hugging Face cache snapshot), from
     * memory with the locations renamed to the links' real targets, which must lie in {@link ModelDirectory#linkRoot}.
     */
    static OrtSession openOne(ModelDirectory dir, Path file, SessionSettings settings) {
        Optional<ExternalDataLinks> links = ExternalDataLinks.of(file, dir.linkRoot());
        try {
            if (links.isEmpty()) {
                return OrtSession.open(file, settings);
            }
            OnnxGraphRewrite relocated = links.get().rewrite();
            return OrtSession.open(
                    file, links.get().externalDataFolder(), relocated.size(), relocated::writeTo, settings);
        } catch (ExecutionProviderFailure e) {
            throw providerUnusable(e);
        } catch (OrtFailure e) {
            throw cannotLoad(file, e);
        }
    }

    /** A strict CUDA request the host cannot honour: a driver or library problem, not a broken model folder. */
    static ExecutionProviderException providerUnusable(ExecutionProviderFailure e) {
        return new ExecutionProviderException(
                e.getMessage(),
                ExecutionProviderException.Reason.valueOf(e.reason().name()),
                e.missingLibrary().orElse(null),
                e);
    }

    /** The decoder, widened in native memory when an adapter's rank needs it (§5.4 c; never on the Java heap). */
    private static OrtSession openDecoder(
            ModelDirectory dir, LoraRankPlan.FittedGraph graph, SessionSettings settings) {
        if (!graph.isPatched()) {
            return openOne(dir, graph.file(), settings);
        }
        Path file = graph.file();
        Optional<ExternalDataLinks> links = ExternalDataLinks.of(file, dir.linkRoot());
        try {
            if (links.isEmpty()) {
                return OrtSession.open(file, graph.widenedSize(), graph::writeWidened, settings);
            }
            OnnxGraphRewrite widened = graph.widened();
            links.get().addTo(widened);
            return OrtSession.open(file, links.get().externalDataFolder(), widened.size(), widened::writeTo, settings);
        } catch (ExecutionProviderFailure e) {
            throw providerUnusable(e);
        } catch (OrtFailure e) {
            throw cannotLoad(file, e);
        }
    }

    private static ModelFormatException cannotLoad(Path file, OrtFailure e) {
        return new ModelFormatException(
                file.getFileName() + ": ONNX Runtime cannot load the graph: " + e.getMessage(), e);
    }

    private static void validate(
            GenaiConfig c,
            OrtSession embedding,
            OrtSession decoder,
            Optional<OrtSession> vision,
            Optional<OrtSession> speech) {
        Phi4Contracts.embedding(c).check(embedding.inputs(), embedding.outputs());
        Phi4Contracts.decoder(c).check(decoder.inputs(), decoder.outputs());
        vision.ifPresent(v -> Phi4Contracts.vision(c, c.vision().orElseThrow()).check(v.inputs(), v.outputs()));
        speech.ifPresent(s -> Phi4Contracts.speech(c, c.speech().orElseThrow()).check(s.inputs(), s.outputs()));

        var d = c.decoder();
        var e = c.embedding();
        // Tensors handed from graph to graph without conversion must agree in element type.
        Phi4Contracts.requireSameType(
                e.filename(),
                find(embedding.outputs(), e.inputsEmbeds()),
                d.filename(),
                find(decoder.inputs(), d.inputsEmbeds()));
        for (int i = 0; i < d.numHiddenLayers(); i++) {
            TensorInfo pk = find(decoder.inputs(), d.pastKeyName(i));
            Phi4Contracts.requireSameType(d.filename(), find(decoder.outputs(), d.presentKeyName(i)), d.filename(), pk);
            Phi4Contracts.requireSameType(
                    d.filename(),
                    find(decoder.outputs(), d.presentValueName(i)),
                    d.filename(),
                    find(decoder.inputs(), d.pastValueName(i)));
            Phi4Contracts.requireSameType(d.filename(), find(decoder.inputs(), d.pastKeyName(0)), d.filename(), pk);
        }
        vision.ifPresent(v -> Phi4Contracts.requireSameType(
                v.file().getFileName().toString(),
                find(v.outputs(), c.vision().orElseThrow().imageFeatures()),
                e.filename(),
                find(embedding.inputs(), e.imageFeatures())));
        speech.ifPresent(s -> Phi4Contracts.requireSameType(
                s.file().getFileName().toString(),
                find(s.outputs(), c.speech().orElseThrow().audioFeatures()),
                e.filename(),
                find(embedding.inputs(), e.audioFeatures())));
    }

    private static TensorInfo find(List<TensorInfo> list, String name) {
        return Phi4Contracts.find(list, name);
    }

    private static ElementType typeOf(List<TensorInfo> list, String name) {
        return ElementType.fromOnnxCode(find(list, name).onnxType()).orElseThrow();
    }

    public ModelDirectory directory() {
        return directory;
    }

    public GenaiConfig config() {
        return directory.config();
    }

    public OrtSession embedding() {
        return embedding;
    }

    public OrtSession decoder() {
        return decoder;
    }

    public Optional<OrtSession> vision() {
        return vision;
    }

    public Optional<OrtSession> speech() {
        return speech;
    }

    /** Element type of {@code inputs_embeds} (and of the embedding graph's output): float16 or float32. */
    public ElementType embedsType() {
        return embedsType;
    }

    public ElementType kvType() {
        return kvType;
    }

    public ElementType logitsType() {
        return logitsType;
    }

    public ElementType imageFeaturesType() {
        return imageFeaturesType;
    }

    public ElementType audioFeaturesType() {
        return audioFeaturesType;
    }

    /**
     * The decoder's LoRA fit: the adapters to load, each as its file or as bytes zero-padded to the decoder's
     * (possibly widened) LoRA rank (reference §5.4 c).
     */
    public LoraRankPlan loraPlan() {
        return loraPlan;
    }

    /**
     * Where the KV cache, feature tensors, embeddings and prompt logits live; closed with the graphs, so every tensor
     * it allocated must be closed first.
     */
    public Placement placement() {
        return placement;
    }

    /** The provider the decoder actually runs on. */
    public String executionProvider() {
        return decoder.executionProvider();
    }

    /**
     * Ends the runs in progress on any of the four graphs and fails every later one (engine shutdown; see {@link
     * OrtSession#terminate()}). Callable from any thread; {@link #close()} must still wait until no thread runs them.
     */
    public void terminate() {
        embedding.terminate();
        decoder.terminate();
        vision.ifPresent(OrtSession::terminate);
        speech.ifPresent(OrtSession::terminate);
    }

    @Override
    public void close() {
        placement.close();
        speech.ifPresent(OrtSession::close);
        vision.ifPresent(OrtSession::close);
        decoder.close();
        embedding.close();
    }
}

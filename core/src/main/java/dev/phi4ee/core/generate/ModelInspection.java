package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.InsufficientMemoryException;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.Phi4Exception;
import dev.phi4ee.core.generate.kv.MemoryProbe;
import dev.phi4ee.core.model.GenaiConfig;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.OrtSession;
import dev.phi4ee.core.ort.SessionSettings;
import dev.phi4ee.core.ort.TensorInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A human-readable report of a model directory: configuration, every graph's signature, the contract verdict, and
 * the KV cache plan {@link Phi4Engine#open} would choose with the same options on this machine.
 */
public final class ModelInspection {
    private ModelInspection() {}

    public static String describe(Path directory) {
        return describe(directory, EngineOptions.defaults(), MemoryProbe.system());
    }

    /** With the engine options whose KV cache plan is reported (provider, window, slots, memory budget). */
    public static String describe(Path directory, EngineOptions options) {
        return describe(directory, options, MemoryProbe.system());
    }

    static String describe(Path directory, EngineOptions options, MemoryProbe probe) {
        ModelDirectory dir = ModelDirectory.open(directory);
        GenaiConfig c = dir.config();
        StringBuilder sb = new StringBuilder();
        sb.append("model directory ").append(dir.root().toAbsolutePath()).append('\n');
        sb.append("  type ")
                .append(c.modelType())
                .append(", vocab ")
                .append(c.vocabSize())
                .append(", context_length ")
                .append(c.contextLength())
                .append(", max_length ")
                .append(c.search().maxLength())
                .append(", past_present_share_buffer ")
                .append(c.search().pastPresentShareBuffer())
                .append('\n');
        sb.append("  bos ")
                .append(c.bosTokenId())
                .append(", eos ")
                .append(c.eosTokenIds())
                .append(", pad ")
                .append(c.padTokenId())
                .append('\n');
        var d = c.decoder();
        sb.append("  decoder: ")
                .append(d.numHiddenLayers())
                .append(" layers, hidden ")
                .append(d.hiddenSize())
                .append(", heads ")
                .append(d.numAttentionHeads())
                .append(", kv heads ")
                .append(d.numKeyValueHeads())
                .append(", head size ")
                .append(d.headSize())
                .append('\n');
        sb.append("  original_max_position_embeddings ")
                .append(dir.hfConfig().originalMaxPositionEmbeddings())
                .append(dir.hfConfig()
                        .source()
                        .map(p -> " (" + p.getFileName() + ")")
                        .orElse(" (default)"))
                .append('\n');
        sb.append("  adapters: vision ")
                .append(dir.visionAdapter().map(Path::getFileName).orElse(null))
                .append(", speech ")
                .append(dir.speechAdapter().map(Path::getFileName).orElse(null))
                .append('\n');
        List<Path> files = new ArrayList<>(List.of(dir.embeddingFile(), dir.decoderFile()));
        dir.visionFile().ifPresent(files::add);
        dir.speechFile().ifPresent(files::add);
        SessionSettings cpu = SessionSettings.cpu(1);
        for (Path f : files) {
            sb.append(f.getFileName()).append('\n');
            try (OrtSession s = Phi4Graphs.openOne(dir, f, cpu)) {
                for (TensorInfo t : s.inputs()) {
                    sb.append("  in  ").append(t).append('\n');
                }
                for (TensorInfo t : s.outputs()) {
                    sb.append("  out ").append(t).append('\n');
                }
            } catch (RuntimeException e) {
                sb.append("  cannot load: ").append(e.getMessage()).append('\n');
            }
        }
        try (Phi4Graphs graphs = Phi4Graphs.open(dir, OnnxPhi4Engine.sessionSettings(options))) {
            sb.append("contract: OK\n");
            sb.append(kvPlan(graphs, options, probe)).append('\n');
        } catch (Phi4Exception e) {
            sb.append("contract: FAILED: ").append(e.getMessage()).append('\n');
        }
        return sb.toString();
    }

    /** The engine's plan, measured as the engine measures it: with the adapters loaded too. */
    private static String kvPlan(Phi4Graphs graphs, EngineOptions options, MemoryProbe probe) {
        boolean shared =
                switch (options.kvCacheMode()) {
                    case AUTO -> graphs.config().search().pastPresentShareBuffer();
                    case SHARED_BUFFER -> true;
                    case GROWING -> false;
                };
        try (LoraAdapters adapters = new LoraAdapters(graphs.directory(), graphs)) {
            return OnnxPhi4Engine.planKvCache(graphs, options, shared, probe).describe();
        } catch (InsufficientMemoryException | IllegalArgumentException e) {
            return "KV cache: FAILED: " + e.getMessage();
        }
    }
}

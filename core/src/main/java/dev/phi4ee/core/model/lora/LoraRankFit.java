package dev.phi4ee.core.model.lora;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.model.onnx.OnnxGraphIndex;
import dev.phi4ee.core.model.onnx.OnnxGraphRewrite;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes LoRA adapters of different ranks fit one text graph exactly (reference §5.3 defect 2, §5.4 option c): the
 * graph's LoRA rank is widened once, at load time, to the largest adapter rank of each target, and smaller adapters
 * are zero-padded to it. Zero rank padding is exact, so each adapter computes what it would on a graph built for its
 * own rank; with no adapter the widened zero defaults still add exactly 0.
 */
public final class LoraRankFit {
    private static final Logger LOG = LoggerFactory.getLogger(LoraRankFit.class);

    private LoraRankFit() {}

    /** Plans the decoder graph and the vision/speech adapters configured in {@code dir} (absent ones skipped). */
    public static LoraRankPlan plan(ModelDirectory dir) {
        List<Path> adapters = new ArrayList<>();
        dir.visionAdapter().ifPresent(adapters::add);
        dir.speechAdapter().ifPresent(adapters::add);
        return plan(dir.decoderFile(), adapters);
    }

    /**
     * Reads the text graph's LoRA inputs and each adapter's ranks, and returns what to load.
     *
     * @throws ModelFormatException naming the file and parameter when an adapter is malformed, names a LoRA input
     *     the graph lacks, does not match its shape apart from the rank, or has a rank above min(in, out) of its
     *     projection
     */
    public static LoraRankPlan plan(Path textGraph, List<Path> adapterFiles) {
        String source = textGraph.getFileName().toString();
        Path baseDir = textGraph.toAbsolutePath().getParent();
        LoraGraph graph = LoraGraph.of(readIndex(textGraph), source, baseDir);
        LoraLayout graphLayout = graph.layout();
        if (!adapterFiles.isEmpty() && !graph.hasLora()) {
            throw new ModelFormatException(source + ": has no LoRA inputs, so adapter "
                    + adapterFiles.get(0).getFileName() + " cannot be applied");
        }

        List<LoraAdapterContent> adapters = new ArrayList<>();
        Map<String, Integer> ranks = new LinkedHashMap<>(graphLayout.ranks());
        for (Path file : adapterFiles) {
            LoraAdapterContent adapter = LoraAdapterContent.read(file, graphLayout.blockSize());
            graphLayout.checkCompatible(adapter.layout());
            for (var e : adapter.layout().ranks().entrySet()) {
                int max = graph.maxRank(e.getKey());
                if (e.getValue() > max) {
                    throw new ModelFormatException(
                            file.getFileName() + ": LoRA parameter " + firstOf(adapter, e.getKey()) + ": rank "
                                    + e.getValue() + " exceeds min(in, out) = " + max + " of " + e.getKey());
                }
                ranks.merge(e.getKey(), e.getValue(), Math::max);
            }
            adapters.add(adapter);
        }

        boolean widen = !ranks.equals(graphLayout.ranks());
        OnnxGraphRewrite widened = null;
        if (widen) {
            LOG.info(
                    "{}: widening LoRA rank {} -> {} so that every adapter fits (smaller adapters are zero-padded, which leaves"
                            + " their output unchanged)",
                    source,
                    maxOf(graphLayout.ranks()),
                    maxOf(ranks));
            widened = graph.widen(ranks).orElseThrow();
        }
        List<LoraRankPlan.FittedAdapter> fitted = new ArrayList<>();
        for (LoraAdapterContent a : adapters) {
            Map<String, Integer> own = a.layout().ranks();
            boolean fits =
                    own.entrySet().stream().allMatch(e -> ranks.get(e.getKey()).equals(e.getValue()));
            fitted.add(new LoraRankPlan.FittedAdapter(a, maxOf(own), fits ? null : ranks));
        }
        return new LoraRankPlan(new LoraRankPlan.FittedGraph(textGraph, widened, maxOf(ranks), widen), fitted);
    }

    private static String firstOf(LoraAdapterContent adapter, String target) {
        return adapter.layout().tensors().values().stream()
                .filter(t -> t.target().equals(target))
                .map(LoraTensor::name)
                .findFirst()
                .orElse(target);
    }

    private static int maxOf(Map<String, Integer> ranks) {
        return ranks.isEmpty() ? 0 : Collections.max(ranks.values());
    }

    /**
     * Maps the graph file and indexes it; the mapping is not heap and is released with the index. An ONNX protobuf
     * file is at most 2 GiB (protobuf's limit), so one mapping holds it.
     */
    private static OnnxGraphIndex readIndex(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new ModelFormatException(file.getFileName() + ": " + size
                        + " bytes; an ONNX protobuf file is at most 2 GiB (large weights belong in external data)");
            }
            return OnnxGraphIndex.of(ch.map(FileChannel.MapMode.READ_ONLY, 0, size));
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException(
                    file.getFileName() + ": cannot read ONNX graph: not a valid ONNX model: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelFormatException(file.getFileName() + ": cannot read ONNX graph: " + e, e);
        }
    }
}

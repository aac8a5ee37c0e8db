package dev.phi4ee.core.model;

import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.TensorInfo;
import java.util.List;
import java.util.Set;

/**
 * The I/O contracts of the four Phi-4-multimodal graphs (reference §3), built from the names and dimensions of a
 * {@link GenaiConfig}, plus the cross-graph rules the engine relies on: a tensor that flows from one graph into
 * another without a copy must have the same element type on both sides.
 */
public final class Phi4Contracts {
    private static final long ANY = -1;
    private static final Set<ElementType> INT64 = Set.of(ElementType.INT64);
    private static final Set<ElementType> FLOATS = GraphContract.FLOATS;

    private Phi4Contracts() {}

    public static GraphContract decoder(GenaiConfig c) {
        DecoderConfig d = c.decoder();
        GraphContract g = new GraphContract(d.filename())
                .input(d.inputsEmbeds(), FLOATS, ANY, ANY, d.hiddenSize())
                .input(d.attentionMask(), INT64, ANY, ANY)
                .output(d.logits(), FLOATS, ANY, ANY, c.vocabSize());
        for (int i = 0; i < d.numHiddenLayers(); i++) {
            long[] kv = {ANY, d.numKeyValueHeads(), ANY, d.headSize()};
            g.input(d.pastKeyName(i), FLOATS, kv)
                    .input(d.pastValueName(i), FLOATS, kv)
                    .output(d.presentKeyName(i), FLOATS, kv)
                    .output(d.presentValueName(i), FLOATS, kv);
        }
        return g;
    }

    public static GraphContract embedding(GenaiConfig c) {
        EmbeddingConfig e = c.embedding();
        int h = c.decoder().hiddenSize();
        return new GraphContract(e.filename())
                .input(e.inputIds(), INT64, ANY, ANY)
                .input(e.imageFeatures(), FLOATS, ANY, h)
                .input(e.audioFeatures(), FLOATS, ANY, h)
                .output(e.inputsEmbeds(), FLOATS, ANY, ANY, h);
    }

    public static GraphContract vision(GenaiConfig c, VisionConfig v) {
        return new GraphContract(v.filename())
                .input(v.pixelValues(), FLOATS, ANY, ANY, 3, ANY, ANY)
                .optionalInput(v.attentionMask(), FLOATS, ANY, ANY, ANY, ANY)
                .input(v.imageSizes(), INT64, ANY, 2)
                .output(v.imageFeatures(), FLOATS, ANY, c.decoder().hiddenSize());
    }

    public static GraphContract speech(GenaiConfig c, SpeechConfig s) {
        return new GraphContract(s.filename())
                .input(s.audioEmbeds(), FLOATS, ANY, ANY, ANY)
                .input(s.attentionMask(), Set.of(ElementType.BOOL), ANY, ANY)
                .input(s.audioSizes(), INT64, ANY)
                .input(s.audioProjectionMode(), INT64, ANY)
                .output(s.audioFeatures(), FLOATS, ANY, c.decoder().hiddenSize());
    }

    /** Throws unless {@code producer}'s output and {@code consumer}'s input have the same element type. */
    public static void requireSameType(
            String producerFile, TensorInfo produced, String consumerFile, TensorInfo consumed) {
        if (produced.onnxType() != consumed.onnxType()) {
            throw new ModelFormatException(consumerFile + ": input '" + consumed.name() + "': expected "
                    + produced.typeLabel() + " (the type " + producerFile + " produces for '" + produced.name()
                    + "', passed on without conversion), found " + consumed.typeLabel());
        }
    }

    /** Finds a tensor by name in a signature already checked by a contract. */
    public static TensorInfo find(List<TensorInfo> tensors, String name) {
        return tensors.stream()
                .filter(t -> t.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(name + " not in " + tensors));
    }
}

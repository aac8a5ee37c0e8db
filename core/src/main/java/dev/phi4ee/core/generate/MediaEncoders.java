package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.TensorFloatType;
import dev.phi4ee.core.audio.SpeechInputs;
import dev.phi4ee.core.model.SpeechConfig;
import dev.phi4ee.core.model.VisionConfig;
import dev.phi4ee.core.ort.Binding;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.OrtSession;
import dev.phi4ee.core.ort.Tensor;
import dev.phi4ee.core.prompt.InputMode;
import dev.phi4ee.core.vision.VisionInputs;

/**
 * Runs the vision and speech graphs of the prompt stage (reference §4.1) over the preprocessed buffers, wrapped as
 * tensors without a copy, into feature tensors sized from the predicted token counts. The feature tensors are then
 * bound as the embedding graph's inputs as they are: ONNX Runtime rejects an output whose shape differs from the
 * bound tensor, which turns a row-count mismatch into an error before the embedding graph runs.
 */
final class MediaEncoders {
    private final Phi4Graphs graphs;

    MediaEncoders(Phi4Graphs graphs) {
        this.graphs = graphs;
    }

    /** {@code image_features [Σ num_img_tokens, hidden]}. */
    Tensor encodeImages(VisionInputs in, int expectedRows) {
        VisionConfig vc = graphs.config().vision().orElseThrow();
        OrtSession vision = graphs.vision().orElseThrow();
        Tensor features = graphs.placement()
                .allocate(
                        graphs.imageFeaturesType(),
                        expectedRows,
                        graphs.config().decoder().hiddenSize());
        try (Tensor pixels = Tensor.wrap(in.pixelValues(), elementType(in.floatType()), in.pixelValuesShape());
                Tensor mask =
                        Tensor.wrap(in.imageAttentionMask(), elementType(in.maskType()), in.imageAttentionMaskShape());
                Tensor sizes = Tensor.wrap(in.imageSizes(), ElementType.INT64, in.imageSizesShape());
                Binding b = vision.newBinding()) {
            b.input(vc.pixelValues(), pixels).input(vc.imageSizes(), sizes);
            if (vision.input(vc.attentionMask()).isPresent()) {
                b.input(vc.attentionMask(), mask);
            }
            b.output(vc.imageFeatures(), features);
            vision.run(b);
            return features;
        } catch (RuntimeException e) {
            features.close();
            throw e;
        }
    }

    /** {@code audio_features [Σ audio tokens, hidden]}, projection chosen by the input mode (§5.2). */
    Tensor encodeAudio(SpeechInputs in, InputMode mode, int expectedRows) {
        SpeechConfig sc = graphs.config().speech().orElseThrow();
        OrtSession speech = graphs.speech().orElseThrow();
        ElementType ft = elementType(in.floatType());
        Tensor features = graphs.placement()
                .allocate(
                        graphs.audioFeaturesType(),
                        expectedRows,
                        graphs.config().decoder().hiddenSize());
        try (Tensor embeds = Tensor.wrap(in.audioEmbeds(), ft, in.audioEmbedsShape());
                Tensor mask = Tensor.wrap(in.audioAttentionMask(), ElementType.BOOL, in.audioAttentionMaskShape());
                Tensor sizes = Tensor.wrap(in.audioSizes(), ElementType.INT64, in.audioSizesShape());
                Tensor projection = Tensor.allocate(ElementType.INT64, 1);
                Binding b = speech.newBinding()) {
            projection.putLong(0, mode.audioProjectionMode());
            b.input(sc.audioEmbeds(), embeds)
                    .input(sc.attentionMask(), mask)
                    .input(sc.audioSizes(), sizes)
                    .input(sc.audioProjectionMode(), projection)
                    .output(sc.audioFeatures(), features);
            speech.run(b);
            return features;
        } catch (RuntimeException e) {
            features.close();
            throw e;
        }
    }

    private static ElementType elementType(TensorFloatType t) {
        return t == TensorFloatType.FLOAT16 ? ElementType.FLOAT16 : ElementType.FLOAT;
    }
}

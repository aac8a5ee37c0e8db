package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.ContentPart;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.TensorFloatType;
import dev.phi4ee.core.audio.AudioPreprocessor;
import dev.phi4ee.core.audio.DecodedAudio;
import dev.phi4ee.core.audio.SpeechInputs;
import dev.phi4ee.core.audio.SpeechProcessorConfig;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.prompt.ExpandedPrompt;
import dev.phi4ee.core.prompt.PromptExpander;
import dev.phi4ee.core.text.ChatPrompt;
import dev.phi4ee.core.vision.ImagePreprocessor;
import dev.phi4ee.core.vision.RgbImage;
import dev.phi4ee.core.vision.VisionInputs;
import dev.phi4ee.core.vision.VisionProcessorConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Builds a {@link PreparedPrompt} on the caller's thread, so decoding media never stalls the engine thread:
 * template (one placeholder per image page / audio clip) → decode media → token counts → expansion (§9) → encoder
 * input buffers, each in the element type its encoder graph declares for that input. Every check that needs no model
 * run happens here.
 */
final class PromptPreparer {
    private final Phi4TextCodec codec;
    private final PromptExpander expander;
    private final ImagePreprocessor images;
    private final AudioPreprocessor audio;
    private final TensorFloatType visionType;
    private final TensorFloatType maskType;
    private final TensorFloatType speechType;
    private final RequestMediaLimits limits;

    PromptPreparer(Phi4TextCodec codec, Phi4Graphs graphs, EngineOptions options) {
        this.codec = codec;
        this.expander = new PromptExpander(Phi4TextCodec.IMAGE_PLACEHOLDER_ID, Phi4TextCodec.AUDIO_PLACEHOLDER_ID);
        this.limits = new RequestMediaLimits(options);
        ModelDirectory dir = graphs.directory();
        this.images = dir.visionProcessorConfig()
                .map(p -> ImagePreprocessor.of(VisionProcessorConfig.read(p), options))
                .orElse(null);
        this.audio = dir.speechProcessorConfig()
                .map(p -> new AudioPreprocessor(SpeechProcessorConfig.read(p), options.maxAudioDuration()))
                .orElse(null);
        this.visionType = graphs.vision()
                .map(s -> floatType(s.input(dir.config().vision().orElseThrow().pixelValues())
                        .orElseThrow()
                        .onnxType()))
                .orElse(null);
        // Optional input (§3.1): when the graph has none, the mask is written but not bound.
        this.maskType = graphs.vision()
                .flatMap(s -> s.input(dir.config().vision().orElseThrow().attentionMask()))
                .map(t -> floatType(t.onnxType()))
                .orElse(visionType);
        this.speechType = graphs.speech()
                .map(s -> floatType(s.input(dir.config().speech().orElseThrow().audioEmbeds())
                        .orElseThrow()
                        .onnxType()))
                .orElse(null);
    }

    private static TensorFloatType floatType(int onnxType) {
        return onnxType == ElementType.FLOAT16.onnxCode() ? TensorFloatType.FLOAT16 : TensorFloatType.FLOAT32;
    }

    PreparedPrompt prepare(GenerationRequest request) {
        return prepare(request, tokens -> {});
    }

    /**
     * @param contextCheck called with the prompt's tokens (text + image and audio tokens from headers) before any
     *     media is decoded: the exact count when every recording's header states its length, else a lower bound (one
     *     token for such a recording); it throws when they cannot fit
     */
    PreparedPrompt prepare(GenerationRequest request, IntConsumer contextCheck) {
        List<ContentPart> media = new ArrayList<>();
        request.messages().forEach(m -> m.parts().stream()
                .filter(p -> !(p instanceof ContentPart.Text))
                .forEach(media::add));
        if (media.isEmpty()) {
            ChatPrompt p = codec.template().render(request.messages());
            return new PreparedPrompt(expander.expand(p.ids(), new int[0], new int[0]), null, null, null);
        }
        // Limits and the context check from headers, before any pixel or sample is decoded.
        RequestMediaLimits.Probed probed = limits.check(media, images, audio);
        ChatPrompt planned = codec.template()
                .render(
                        request.messages(),
                        part -> part instanceof ContentPart.Image
                                ? probed.pages().getOrDefault(part, 1)
                                : 1);
        long placeholders =
                probed.pages().values().stream().mapToLong(Integer::longValue).sum() + probed.audioClips();
        contextCheck.accept((int) Math.min(
                Integer.MAX_VALUE, planned.ids().length - placeholders + probed.imageTokens() + probed.audioTokens()));
        // Decode every item once; a document yields one image (and one placeholder) per page.
        Map<ContentPart, List<RgbImage>> pages = new java.util.IdentityHashMap<>();
        Map<ContentPart, DecodedAudio> clips = new java.util.IdentityHashMap<>();
        for (ContentPart part : media) {
            switch (part) {
                case ContentPart.Image img -> pages.put(part, requireImages().decode(img.media()));
                case ContentPart.Audio a -> clips.put(part, requireAudio().decode(a.media()));
                case ContentPart.Text t -> throw new IllegalStateException();
            }
        }
        ChatPrompt chat = codec.template()
                .render(
                        request.messages(),
                        part -> part instanceof ContentPart.Image
                                ? pages.get(part).size()
                                : 1);
        List<RgbImage> orderedPages = new ArrayList<>();
        List<DecodedAudio> orderedClips = new ArrayList<>();
        for (ContentPart part : chat.mediaParts()) {
            if (part instanceof ContentPart.Image) {
                orderedPages.addAll(pages.get(part));
            } else {
                orderedClips.add(clips.get(part));
            }
        }
        VisionInputs vision = orderedPages.isEmpty() ? null : images.preprocess(orderedPages, visionType, maskType);
        try {
            SpeechInputs speech = orderedClips.isEmpty() ? null : audio.preprocess(orderedClips, speechType);
            int[] imageCounts = vision == null ? new int[0] : vision.numImageTokens();
            int[] audioCounts = speech == null ? new int[0] : speech.tokenCounts();
            ExpandedPrompt expanded = expander.expand(chat.ids(), imageCounts, audioCounts);
            return new PreparedPrompt(expanded, vision, speech, digest(chat.mediaParts()));
        } catch (RuntimeException e) {
            if (vision != null) {
                vision.close();
            }
            throw e;
        }
    }

    /**
     * SHA-256 over the media parts in prompt order (kind, declared type, bytes): equal digests mean equal encoder
     * inputs, hence equal feature rows for every placeholder (the preprocessing depends only on the bytes and the
     * engine's options).
     */
    static byte[] digest(List<ContentPart> parts) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        ByteBuffer header = ByteBuffer.allocate(Long.BYTES + 1);
        for (ContentPart part : parts) {
            Media m =
                    switch (part) {
                        case ContentPart.Image img -> img.media();
                        case ContentPart.Audio a -> a.media();
                        case ContentPart.Text t -> throw new IllegalStateException("text is not media");
                    };
            header.clear()
                    .put((byte) (part instanceof ContentPart.Image ? 'I' : 'A'))
                    .putLong(m.data().length);
            sha.update(header.array());
            String type = m.declaredMimeType() == null ? "" : m.declaredMimeType();
            sha.update(type.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(m.data());
        }
        return sha.digest();
    }

    /** Direct memory the image preprocessor keeps for reuse (0 without a vision graph). */
    long pooledImageBytes() {
        return images == null ? 0 : images.pooledBytes();
    }

    private ImagePreprocessor requireImages() {
        if (images == null || visionType == null) {
            throw new InvalidInputException("this model has no vision graph: image parts cannot be used");
        }
        return images;
    }

    private AudioPreprocessor requireAudio() {
        if (audio == null || speechType == null) {
            throw new InvalidInputException("this model has no speech graph: audio parts cannot be used");
        }
        return audio;
    }
}

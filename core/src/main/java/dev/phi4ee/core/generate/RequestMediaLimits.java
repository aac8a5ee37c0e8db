package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.ContentPart;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.MediaTooLargeException;
import dev.phi4ee.core.audio.AudioPreprocessor;
import dev.phi4ee.core.vision.ImagePreprocessor;
import dev.phi4ee.core.vision.PageSize;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The per-request media limits of {@link EngineOptions}, checked before anything is decoded: total encoded bytes
 * first (no parsing at all), then images and pixels from the headers ({@link ImagePreprocessor#probe}), which also
 * give each image's token count for the context check before decoding; recordings give theirs from their headers
 * ({@link AudioPreprocessor#tokenCountFromHeaders}).
 */
final class RequestMediaLimits {
    /**
     * Pages per image part and their image tokens, and the audio tokens of the {@code audioClips} recordings whose
     * length their headers state, all from headers.
     */
    record Probed(Map<ContentPart, Integer> pages, long imageTokens, long audioTokens, int audioClips) {}

    private final long maxMediaBytes;
    private final int maxImages;
    private final long maxPixels;

    RequestMediaLimits(EngineOptions options) {
        this.maxMediaBytes = options.maxMediaBytes();
        this.maxImages = options.maxImagesPerRequest();
        this.maxPixels = options.maxPixelsPerRequest();
    }

    /**
     * @param audio null when the model has no speech graph
     * @throws MediaTooLargeException naming the limit that the request's media exceed
     */
    Probed check(List<ContentPart> media, ImagePreprocessor images, AudioPreprocessor audio) {
        long bytes = 0;
        for (ContentPart part : media) {
            bytes += switch (part) {
                case ContentPart.Image i -> i.media().data().length;
                case ContentPart.Audio a -> a.media().data().length;
                case ContentPart.Text t -> 0;
            };
        }
        if (bytes > maxMediaBytes) {
            throw new MediaTooLargeException("the request's media are " + bytes + " bytes, over maxMediaBytes "
                    + maxMediaBytes + " (all images, documents and recordings of one request together)");
        }
        Map<ContentPart, Integer> pages = new IdentityHashMap<>();
        long count = 0;
        long pixels = 0;
        long tokens = 0;
        long audioTokens = 0;
        int audioClips = 0;
        for (ContentPart part : media) {
            if (part instanceof ContentPart.Audio clip && audio != null) {
                OptionalInt counted = audio.tokenCountFromHeaders(clip.media());
                if (counted.isPresent()) {
                    audioTokens += counted.getAsInt();
                    audioClips++;
                }
            }
            if (!(part instanceof ContentPart.Image img) || images == null) {
                continue;
            }
            List<PageSize> sizes = images.probe(img.media());
            pages.put(part, sizes.size());
            count += sizes.size();
            if (count > maxImages) {
                throw new MediaTooLargeException("the request has more than " + maxImages
                        + " images (document pages count one each), over maxImagesPerRequest; at "
                        + img.media().label());
            }
            for (PageSize s : sizes) {
                pixels += (long) s.width() * s.height();
                tokens += images.plan(s.width(), s.height()).numImageTokens();
            }
            if (pixels > maxPixels) {
                throw new MediaTooLargeException("the request's images have more than " + maxPixels
                        + " pixels together, over maxPixelsPerRequest; at "
                        + img.media().label());
            }
        }
        return new Probed(pages, tokens, audioTokens, audioClips);
    }
}

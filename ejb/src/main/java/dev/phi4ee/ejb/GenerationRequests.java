package dev.phi4ee.ejb;

import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.MediaFormat;
import dev.phi4ee.core.api.MediaKind;
import java.time.Duration;

/** Maps a validated {@link Phi4Request} to the engine's request: media first, then the prompt. */
final class GenerationRequests {

    private GenerationRequests() {}

    static GenerationRequest of(Phi4Request r) {
        GenerationRequest.Builder b = GenerationRequest.builder();
        if (r.getSystemPrompt() != null && !r.getSystemPrompt().isBlank()) {
            b.system(r.getSystemPrompt());
        }
        if (r.getMedia() != null) {
            for (MediaInput input : r.getMedia()) {
                Media media = new Media(input.getData(), input.getMimeType(), input.getName());
                MediaFormat format = media.format()
                        .orElseThrow(() -> new InvalidInputException("unrecognised media " + media.label()
                                + ": not a known image, PDF or audio format; set mimeType if the type is known"));
                if (format.kind() == MediaKind.AUDIO) {
                    b.audio(media);
                } else {
                    b.image(media);
                }
            }
        }
        if (r.getPrompt() != null && !r.getPrompt().isBlank()) {
            b.user(r.getPrompt());
        }
        return b.options(options(r)).build();
    }

    private static GenerationOptions options(Phi4Request r) {
        GenerationOptions.Builder o = GenerationOptions.builder();
        if (r.getMaxNewTokens() != null) {
            o.maxNewTokens(r.getMaxNewTokens());
        }
        if (r.getTemperature() != null) {
            o.doSample(true).temperature(r.getTemperature());
        }
        if (r.getTopP() != null) {
            o.doSample(true).topP(r.getTopP());
        }
        if (r.getTopK() != null) {
            o.doSample(true).topK(r.getTopK());
        }
        if (r.getSeed() != null) {
            o.seed(r.getSeed());
        }
        if (r.getStopSequences() != null) {
            o.stopSequences(r.getStopSequences());
        }
        if (r.getTimeoutMillis() != null) {
            o.timeout(Duration.ofMillis(r.getTimeoutMillis()));
        }
        return o.build();
    }
}

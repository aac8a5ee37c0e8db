package dev.phi4ee.core.generate;

import dev.phi4ee.core.audio.SpeechInputs;
import dev.phi4ee.core.prompt.ExpandedPrompt;
import dev.phi4ee.core.vision.VisionInputs;

/**
 * A request's prompt after everything that can be done before the model runs: template ids expanded to one
 * placeholder per feature row, image crops and audio features preprocessed into the encoders' input buffers.
 * Closing hands the pooled image buffers back.
 */
final class PreparedPrompt implements AutoCloseable {
    final ExpandedPrompt expanded;
    final VisionInputs vision;
    final SpeechInputs speech;
    /** SHA-256 of the request's media in prompt order (null without media): part of the prefix-cache key. */
    final byte[] mediaDigest;

    PreparedPrompt(ExpandedPrompt expanded, VisionInputs vision, SpeechInputs speech, byte[] mediaDigest) {
        this.expanded = expanded;
        this.vision = vision;
        this.speech = speech;
        this.mediaDigest = mediaDigest;
    }

    @Override
    public void close() {
        if (vision != null) {
            vision.close();
        }
    }
}

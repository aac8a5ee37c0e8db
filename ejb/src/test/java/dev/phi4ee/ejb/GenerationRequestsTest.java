package dev.phi4ee.ejb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.api.ContentPart;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.InvalidInputException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenerationRequestsTest {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10};
    private static final byte[] WAV_HEADER = {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E'};

    @Test
    void mediaComeBeforeThePromptAndAreSortedByKind() {
        Phi4Request r = Phi4Request.ofPrompt("What is said and shown?");
        r.setSystemPrompt("Be brief.");
        r.setMedia(List.of(new MediaInput(PNG_SIGNATURE, null, "scan"), new MediaInput(WAV_HEADER, null, "call")));

        GenerationRequest request = GenerationRequests.of(r);

        assertThat(request.messages()).hasSize(2);
        assertThat(request.messages().get(0)).isEqualTo(ChatMessage.system("Be brief."));
        List<ContentPart> parts = request.messages().get(1).parts();
        assertThat(parts.get(0)).isInstanceOf(ContentPart.Image.class);
        assertThat(parts.get(1)).isInstanceOf(ContentPart.Audio.class);
        assertThat(parts.get(2)).isEqualTo(ContentPart.text("What is said and shown?"));
    }

    @Test
    void optionsMapAndSamplingIsOnlyOnWhenAsked() {
        Phi4Request r = Phi4Request.ofPrompt("x");
        assertThat(GenerationRequests.of(r).options().greedy()).isTrue();

        r.setMaxNewTokens(12);
        r.setTemperature(0.7);
        r.setTopP(0.9);
        r.setSeed(3L);
        r.setStopSequences(List.of("END"));
        r.setTimeoutMillis(1500L);
        var options = GenerationRequests.of(r).options();

        assertThat(options.maxNewTokens()).isEqualTo(12);
        assertThat(options.doSample()).isTrue();
        assertThat(options.temperature()).isEqualTo(0.7);
        assertThat(options.topP()).isEqualTo(0.9);
        assertThat(options.seed()).isEqualTo(3L);
        assertThat(options.stopSequences()).containsExactly("END");
        assertThat(options.timeout()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void unrecognisedMediaIsInvalidInputUnlessTheTypeIsDeclared() {
        Phi4Request r = new Phi4Request();
        r.setMedia(List.of(new MediaInput(new byte[] {1, 2, 3, 4, 5}, null, "mystery.bin")));
        assertThatThrownBy(() -> GenerationRequests.of(r))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("mystery.bin");

        r.setMedia(List.of(new MediaInput(new byte[] {1, 2, 3, 4, 5}, "audio/wav", "mystery.bin")));
        assertThat(GenerationRequests.of(r).messages().get(0).parts().get(0)).isInstanceOf(ContentPart.Audio.class);
    }
}

package dev.phi4ee.ejb;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The constraints the service and the listener enforce, checked with the reference Bean Validation provider. */
class Phi4RequestValidationTest {

    private static ValidatorFactory factory;
    private static Validator validator;

    @BeforeAll
    static void createValidator() {
        factory = Validation.buildDefaultValidatorFactory();
        validator = factory.getValidator();
    }

    @AfterAll
    static void close() {
        factory.close();
    }

    @Test
    void aPromptAloneOrMediaAloneIsValid() {
        assertThat(validator.validate(Phi4Request.ofPrompt("Hello"))).isEmpty();
        Phi4Request media = new Phi4Request();
        media.setMedia(List.of(new MediaInput(new byte[] {1, 2, 3}, null, null)));
        assertThat(validator.validate(media)).isEmpty();
    }

    @Test
    void blankPromptWithoutMediaIsRejected() {
        assertThat(messages(Phi4Request.ofPrompt("   ")))
                .containsExactly("a request needs a non-blank prompt or at least one media item");
        assertThat(messages(new Phi4Request())).hasSize(1);
    }

    @Test
    void decodingOptionsHaveBounds() {
        assertThat(messages(with(r -> r.setMaxNewTokens(0)))).containsExactly("maxNewTokens must be >= 1");
        assertThat(messages(with(r -> r.setMaxNewTokens(Phi4Request.MAX_NEW_TOKENS + 1))))
                .containsExactly("maxNewTokens must be <= 4096");
        assertThat(messages(with(r -> r.setTemperature(-0.1)))).containsExactly("temperature must be >= 0");
        assertThat(messages(with(r -> r.setTemperature(2.5)))).containsExactly("temperature must be <= 2");
        assertThat(messages(with(r -> r.setTopP(0.0)))).containsExactly("topP must be > 0");
        assertThat(messages(with(r -> r.setTopP(1.01)))).containsExactly("topP must be <= 1");
        assertThat(messages(with(r -> r.setTopK(-1)))).containsExactly("topK must be >= 0");
        assertThat(messages(with(r -> {
                    r.setMaxNewTokens(4096);
                    r.setTemperature(0.0);
                    r.setTopP(1.0);
                    r.setTopK(0);
                })))
                .isEmpty();
    }

    @Test
    void mediaHaveSizeAndCountLimits() {
        assertThat(messages(with(r -> r.setMedia(List.of(new MediaInput(new byte[0], null, null))))))
                .containsExactly("media data must be 1 to 67108864 bytes");
        assertThat(messages(
                        with(r -> r.setMedia(List.of(new MediaInput(new byte[MediaInput.MAX_BYTES + 1], null, null))))))
                .containsExactly("media data must be 1 to 67108864 bytes");
        MediaInput small = new MediaInput(new byte[] {1}, null, null);
        assertThat(messages(
                        with(r -> r.setMedia(java.util.Collections.nCopies(Phi4Request.MAX_MEDIA_ITEMS + 1, small)))))
                .containsExactly("at most 16 media items");
    }

    private static Phi4Request with(Consumer<Phi4Request> change) {
        Phi4Request r = Phi4Request.ofPrompt("Describe.");
        change.accept(r);
        return r;
    }

    private static List<String> messages(Phi4Request request) {
        return validator.validate(request).stream()
                .map(ConstraintViolation::getMessage)
                .sorted()
                .toList();
    }
}

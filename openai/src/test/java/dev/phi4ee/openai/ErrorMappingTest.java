package dev.phi4ee.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.phi4ee.core.api.ContextLengthExceededException;
import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.InferenceException;
import dev.phi4ee.core.api.MediaTooLargeException;
import dev.phi4ee.core.api.UnsupportedMediaException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ErrorMappingTest {
    @Test
    void contextOverflowIsA400WithTheNumbers() {
        ApiException e = ErrorMapping.map(new CompletionException(new ContextLengthExceededException(120, 20, 128)));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("context_length_exceeded");
        assertThat(e.getMessage()).contains("128 tokens", "140 tokens", "120 in the messages", "20 in the completion");
    }

    @Test
    void statusesFollowTheEngineExceptionTypes() {
        assertThat(ErrorMapping.map(new UnsupportedMediaException("not an image"))
                        .status())
                .isEqualTo(400);
        assertThat(ErrorMapping.map(new MediaTooLargeException("too many pixels"))
                        .status())
                .isEqualTo(413);
        ApiException busy = ErrorMapping.map(new EngineOverloadedException("queue full"));
        assertThat(busy.status()).isEqualTo(429);
        assertThat(busy.retryAfterSeconds()).isPositive();
        assertThat(ErrorMapping.map(new InferenceException("ort failed", new RuntimeException()))
                        .status())
                .isEqualTo(500);
        ApiException unknown = ErrorMapping.map(new NullPointerException("secret internals"));
        assertThat(unknown.status()).isEqualTo(500);
        assertThat(unknown.getMessage()).doesNotContain("secret");
    }

    @Test
    void bodyHasOpenAisShape() {
        JsonNode body = ErrorMapping.body(ApiException.invalid("top_p", "bad top_p"));
        assertThat(body.size()).isEqualTo(1);
        JsonNode error = body.get("error");
        assertThat(error.get("message").asText()).isEqualTo("bad top_p");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("param").asText()).isEqualTo("top_p");
        assertThat(error.get("code").isNull()).isTrue();
    }
}

package dev.phi4ee.ejb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonCodecTest {

    private final JsonCodec codec = new JsonCodec();

    @Test
    void mediaTravelAsBase64() {
        Phi4Request r = Phi4Request.ofPrompt("Describe.");
        r.setMaxNewTokens(32);
        r.setMedia(List.of(new MediaInput(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, "image/png", "a.png")));

        String json = codec.write(r);
        Phi4Request back = codec.readRequest(json);

        assertThat(json).contains("\"data\":\"iVBORw==\"");
        assertThat(back.getPrompt()).isEqualTo("Describe.");
        assertThat(back.getMaxNewTokens()).isEqualTo(32);
        assertThat(back.getMedia().get(0).getData()).containsExactly(0x89, 'P', 'N', 'G');
        assertThat(back.getMedia().get(0).getMimeType()).isEqualTo("image/png");
    }

    @Test
    void malformedJsonIsAnInvalidRequest() {
        assertThatThrownBy(() -> codec.readRequest("{not json")).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> codec.readRequest("null")).isInstanceOf(MalformedMessageException.class);
    }
}

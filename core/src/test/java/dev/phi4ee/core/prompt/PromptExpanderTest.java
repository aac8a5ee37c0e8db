package dev.phi4ee.core.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.ContextLengthExceededException;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.ModelFormatException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PromptExpanderTest {
    private static final int IMG = 200010;
    private static final int AUD = 200011;
    private final PromptExpander release = new PromptExpander(IMG, AUD);

    @Test
    void expandsEachPlaceholderInOrderOfAppearance() {
        // <|user|> img text aud img text <|end|><|assistant|>
        int[] template = {200021, IMG, 10, AUD, IMG, 11, 200020, 200019};
        ExpandedPrompt prompt = release.expand(template, new int[] {2, 3}, new int[] {4});
        assertThat(prompt.ids())
                .containsExactly(200021, IMG, IMG, 10, AUD, AUD, AUD, AUD, IMG, IMG, IMG, 11, 200020, 200019);
        assertThat(prompt.imageTokens()).isEqualTo(5);
        assertThat(prompt.audioTokens()).isEqualTo(4);
        assertThat(prompt.length()).isEqualTo(14);
        assertThat(prompt.mode()).isEqualTo(InputMode.VISION_SPEECH);
        assertThat(release.promptLength(template, new int[] {2, 3}, new int[] {4}))
                .isEqualTo(14);
    }

    @Test
    void placeholderIdsComeFromTheConfiguration() {
        PromptExpander custom = new PromptExpander(7, 9);
        ExpandedPrompt prompt = custom.expand(new int[] {1, 9, 7, IMG}, new int[] {2}, new int[] {1});
        assertThat(prompt.ids()).containsExactly(1, 9, 7, 7, IMG);
        assertThat(prompt.mode()).isEqualTo(InputMode.VISION_SPEECH);
        assertThatThrownBy(() -> new PromptExpander(5, 5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void randomPromptsKeepTheScatterInvariants() {
        Random random = new Random(17);
        for (int trial = 0; trial < 500; trial++) {
            int images = random.nextInt(4);
            int audios = random.nextInt(4);
            int[] imageCounts = random.ints(images, 1, 50).toArray();
            int[] audioCounts = random.ints(audios, 1, 50).toArray();
            int[] template = template(random, images, audios);
            ExpandedPrompt prompt = release.expand(template, imageCounts, audioCounts);
            // Walk the output: runs of placeholder ids must have exactly the item lengths, in order.
            int image = 0;
            int audio = 0;
            int textTokens = 0;
            int[] ids = prompt.ids();
            for (int i = 0; i < ids.length; ) {
                int id = ids[i];
                int run = 1;
                if (id == IMG || id == AUD) {
                    int[] expected = id == IMG ? imageCounts : audioCounts;
                    int k = id == IMG ? image++ : audio++;
                    run = expected[k];
                    for (int j = 0; j < run; j++) {
                        assertThat(ids[i + j]).isEqualTo(id);
                    }
                } else {
                    textTokens++;
                }
                i += run;
            }
            assertThat(image).isEqualTo(images);
            assertThat(audio).isEqualTo(audios);
            assertThat(textTokens).isEqualTo(template.length - images - audios);
            assertThat(prompt.mode()).isEqualTo(InputMode.of(images, audios));
            assertThat(prompt.length()).isEqualTo(release.promptLength(template, imageCounts, audioCounts));
        }
    }

    /** Placeholder runs abutting each other (image right after image) are told apart by the recorded counts. */
    private static int[] template(Random random, int images, int audios) {
        int[] kinds = new int[images + audios];
        for (int i = 0; i < kinds.length; i++) {
            kinds[i] = i < images ? IMG : AUD;
        }
        for (int i = kinds.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = kinds[i];
            kinds[i] = kinds[j];
            kinds[j] = t;
        }
        int[] out = new int[kinds.length * 2 + 2];
        int n = 0;
        out[n++] = 200021;
        for (int kind : kinds) {
            out[n++] = kind;
            out[n++] = 100 + random.nextInt(1000);
        }
        out[n++] = 200019;
        return Arrays.copyOf(out, n);
    }

    @Test
    void mismatchedPlaceholdersAreRejectedWithTheCounts() {
        int[] template = {1, IMG, 2, IMG, 3};
        assertThatThrownBy(() -> release.expand(template, new int[] {5}, new int[0]))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("2 image placeholder(s) (id 200010) for 1 image(s)");
        assertThatThrownBy(() -> release.promptLength(template, new int[] {5, 5}, new int[] {3}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("0 audio placeholder(s) (id 200011) for 1 audio clip(s)");
        assertThatThrownBy(() -> release.expand(template, new int[] {5, 0}, new int[0]))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("image 2 of 2 yields 0 tokens");
    }

    @Test
    void contextWindowCheckUsesTheExpandedLength() {
        // A 1344x896 image (1841 tokens, reference §7.12) and a 30 s clip (375 tokens, §8.10) in a 20-id template.
        int[] template = new int[20];
        template[3] = IMG;
        template[5] = AUD;
        int length = release.promptLength(template, new int[] {1841}, new int[] {375});
        assertThat(length).isEqualTo(20 - 2 + 1841 + 375);
        PromptExpander.checkContextWindow(length, 4096 - length, 4096); // exactly full: allowed
        assertThatThrownBy(() -> PromptExpander.checkContextWindow(length, 4096 - length + 1, 4096))
                .isInstanceOfSatisfying(ContextLengthExceededException.class, e -> {
                    assertThat(e.promptTokens()).isEqualTo(2234);
                    assertThat(e.maxNewTokens()).isEqualTo(1863);
                    assertThat(e.maxLength()).isEqualTo(4096);
                })
                .hasMessageContaining("prompt of 2234 tokens")
                .hasMessageContaining("4097");
        assertThatThrownBy(() -> PromptExpander.checkContextWindow(Integer.MAX_VALUE, Integer.MAX_VALUE, 131072))
                .isInstanceOf(ContextLengthExceededException.class);
    }

    @Test
    void featureRowsMustEqualThePlaceholderCounts() {
        ExpandedPrompt prompt = release.expand(new int[] {IMG, AUD}, new int[] {3}, new int[] {2});
        prompt.requireFeatureRows(3, 2);
        assertThatThrownBy(() -> prompt.requireFeatureRows(3, 4))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("audio_features has 4 rows for 2 audio tokens");
    }
}

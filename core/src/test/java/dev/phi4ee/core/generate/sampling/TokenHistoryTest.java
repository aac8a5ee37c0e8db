package dev.phi4ee.core.generate.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenHistoryTest {

    @Test
    void tracksPromptGeneratedAndDistinctIdsLikeASet() {
        Random random = new Random(4);
        int vocab = 1000;
        int[] prompt = random.ints(300, 0, vocab).toArray();
        TokenHistory history = new TokenHistory(vocab, prompt);
        Set<Integer> reference = new LinkedHashSet<>();
        for (int id : prompt) {
            reference.add(id);
        }
        int[] generated = random.ints(5000, 0, vocab).toArray();
        for (int id : generated) {
            history.add(id);
            reference.add(id);
        }
        assertThat(history.promptLength()).isEqualTo(300);
        assertThat(history.generatedCount()).isEqualTo(5000);
        assertThat(history.size()).isEqualTo(5300);
        assertThat(history.generatedIds()).containsExactly(generated);
        assertThat(history.get(0)).isEqualTo(prompt[0]);
        for (int id = 0; id < vocab; id++) {
            assertThat(history.contains(id)).isEqualTo(reference.contains(id));
        }
        int[] distinct = new int[history.distinctCount()];
        for (int i = 0; i < distinct.length; i++) {
            distinct[i] = history.distinctId(i);
        }
        assertThat(distinct)
                .containsExactly(reference.stream().mapToInt(Integer::intValue).toArray());
    }

    @Test
    void rejectsIdsOutsideTheVocabulary() {
        TokenHistory history = new TokenHistory(10, new int[] {1});
        assertThatThrownBy(() -> history.add(10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> history.add(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenHistory(10, new int[] {11})).isInstanceOf(IllegalArgumentException.class);
    }
}

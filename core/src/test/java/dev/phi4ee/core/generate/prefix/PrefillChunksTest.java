package dev.phi4ee.core.generate.prefix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrefillChunksTest {
    static List<Integer> ends(PrefillChunks c, int from, int n) {
        List<Integer> out = new ArrayList<>();
        for (int s = from; s < n; s = c.end(s, n)) {
            out.add(c.end(s, n));
        }
        return out;
    }

    @Test
    void unalignedRunsCountFromTheFirstPositionAndALongPromptsFirstRunPassesTheThreshold() {
        assertThat(ends(PrefillChunks.of(7, 64), 0, 30)).containsExactly(7, 14, 21, 28, 30);
        assertThat(ends(PrefillChunks.of(7, 64), 0, 84)).containsExactly(65, 72, 79, 84);
        assertThat(ends(PrefillChunks.of(0, 64), 0, 84)).containsExactly(84);
        assertThat(ends(PrefillChunks.of(512, 64), 0, 84)).containsExactly(84);
    }

    @Test
    void alignedRunsEndOnBlockBoundariesWhereverTheyStart() {
        PrefillChunks c = PrefillChunks.aligned(16, 64);
        assertThat(ends(c, 0, 40)).containsExactly(16, 32, 40);
        assertThat(ends(c, 32, 40)).containsExactly(40);
        assertThat(ends(c, 16, 64)).containsExactly(32, 48, 64);
        // Longer than the threshold: the first run ends at the first block boundary past it (80 > 64) ...
        assertThat(ends(c, 0, 100)).containsExactly(80, 96, 100);
        assertThat(ends(c, 0, 70)).containsExactly(70);
        // ... and a run starting at a reused boundary past the threshold is an ordinary block.
        assertThat(ends(c, 80, 100)).containsExactly(96, 100);
        assertThat(c.firstLongEnd()).isEqualTo(80);
    }

    @Test
    void rejectsBadChunks() {
        assertThatThrownBy(() -> PrefillChunks.of(-1, 64)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PrefillChunks.aligned(0, 64)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PrefillChunks.of(8, 64).end(5, 5)).isInstanceOf(IllegalArgumentException.class);
    }
}

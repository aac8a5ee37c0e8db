package dev.phi4ee.core.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InputModeTest {

    @Test
    void modeFollowsTheMediaCounts() {
        assertThat(InputMode.of(0, 0)).isEqualTo(InputMode.LANGUAGE);
        assertThat(InputMode.of(3, 0)).isEqualTo(InputMode.VISION);
        assertThat(InputMode.of(0, 2)).isEqualTo(InputMode.SPEECH);
        assertThat(InputMode.of(1, 1)).isEqualTo(InputMode.VISION_SPEECH);
        assertThatThrownBy(() -> InputMode.of(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void adapterAndProjectionFollowTheReferenceTable() {
        // phi4mm-reference.md §5.2: mode -> (value, decoder LoRA); audio_projection_mode is the mode's integer.
        Object[][] table = {
            {InputMode.LANGUAGE, 0, Adapter.NONE},
            {InputMode.VISION, 1, Adapter.VISION},
            {InputMode.SPEECH, 2, Adapter.SPEECH},
            {InputMode.VISION_SPEECH, 3, Adapter.VISION},
        };
        for (Object[] row : table) {
            InputMode mode = (InputMode) row[0];
            assertThat(mode.value()).isEqualTo(row[1]);
            assertThat(mode.audioProjectionMode()).isEqualTo(((Integer) row[1]).longValue());
            assertThat(mode.adapter()).as("adapter of %s", mode).isEqualTo(row[2]);
        }
        assertThat(InputMode.values()).hasSize(table.length);
        assertThat(InputMode.VISION_SPEECH.hasImages()).isTrue();
        assertThat(InputMode.VISION_SPEECH.hasAudio()).isTrue();
        assertThat(InputMode.SPEECH.hasImages()).isFalse();
        assertThat(InputMode.LANGUAGE.hasAudio()).isFalse();
    }
}

package dev.phi4ee.core.generate.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.GenerationOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The three pieces together, as the engine's decode loop uses them: sampler + history per request, the stop matcher
 * between the detokenizer and the listener. The "model" is a script of forced tokens.
 */
class DecodeLoopTest {
    private static final String[] PIECES = {"<eos>", "Hel", "lo", " wor", "ld", "\n#", "## ", "tail", "!"};
    private static final int EOS = 0;

    /** Runs a loop whose logits force the given ids in turn; returns what a listener saw and the final result. */
    private static List<String> loop(int[] script, GenerationOptions options, StringBuilder result, String[] reason) {
        TokenSampler sampler = TokenSampler.create(options, PIECES.length, EOS);
        TokenHistory history = new TokenHistory(PIECES.length, new int[] {1, 2});
        StopSequenceMatcher stops = new StopSequenceMatcher(options.stopSequences());
        List<String> listener = new ArrayList<>();
        reason[0] = "length";
        for (int step = 0; step < options.maxNewTokens(); step++) {
            float[] logits = new float[PIECES.length];
            logits[script[Math.min(step, script.length - 1)]] = 10f;
            int token = sampler.next(Rows.of(logits), history);
            if (sampler.isEndOfSequence(token)) {
                reason[0] = "stop";
                break;
            }
            String safe = stops.accept(PIECES[token]);
            if (!safe.isEmpty()) {
                listener.add(safe);
                result.append(safe);
            }
            if (stops.stopped()) {
                reason[0] = "stop";
                return listener;
            }
        }
        String rest = stops.flush();
        if (!rest.isEmpty()) {
            listener.add(rest);
            result.append(rest);
        }
        return listener;
    }

    @Test
    void aStopStringSpreadOverTokensNeverReachesTheListener() {
        GenerationOptions options =
                GenerationOptions.builder().stopSequences(List.of("###")).build();
        StringBuilder result = new StringBuilder();
        String[] reason = new String[1];
        List<String> seen = loop(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, options, result, reason);
        assertThat(result).hasToString("Hello world\n");
        assertThat(String.join("", seen)).isEqualTo("Hello world\n").doesNotContain("#");
        assertThat(reason[0]).isEqualTo("stop");
    }

    @Test
    void endOfSequenceIsMaskedUntilMinNewTokensThenEndsTheStream() {
        // The script asks for <eos> first; min new tokens 2 forces the runner-up (the greedy row has all other
        // logits at 0, so the lowest non-eos id wins) twice.
        GenerationOptions options = GenerationOptions.builder().minNewTokens(2).build();
        StringBuilder result = new StringBuilder();
        String[] reason = new String[1];
        loop(new int[] {EOS}, options, result, reason);
        assertThat(result).hasToString("HelHel");
        assertThat(reason[0]).isEqualTo("stop");
    }

    @Test
    void heldBackTextIsFlushedWhenTheLengthLimitEnds() {
        GenerationOptions options = GenerationOptions.builder()
                .maxNewTokens(5)
                .stopSequences(List.of("###"))
                .build();
        StringBuilder result = new StringBuilder();
        String[] reason = new String[1];
        // The last token "\n#" might begin "###": "#" is held back, then released by flush() at the limit.
        List<String> seen = loop(new int[] {1, 2, 3, 4, 5}, options, result, reason);
        assertThat(result).hasToString("Hello world\n#");
        assertThat(seen).endsWith("\n", "#");
        assertThat(reason[0]).isEqualTo("length");
    }
}

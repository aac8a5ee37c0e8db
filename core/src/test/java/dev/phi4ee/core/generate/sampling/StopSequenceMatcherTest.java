package dev.phi4ee.core.generate.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StopSequenceMatcherTest {

    @Test
    void passesTextThroughWithoutStopStrings() {
        StopSequenceMatcher matcher = new StopSequenceMatcher(List.of());
        assertThat(matcher.accept("Hello")).isEqualTo("Hello");
        assertThat(matcher.accept(" world")).isEqualTo(" world");
        assertThat(matcher.flush()).isEmpty();
        assertThat(matcher.stopped()).isFalse();
    }

    @Test
    void holdsBackAPossibleStartAndReleasesItWhenItDiverges() {
        StopSequenceMatcher matcher = new StopSequenceMatcher(List.of("\nUser:"));
        assertThat(matcher.accept("Sure.\nUs")).isEqualTo("Sure.");
        assertThat(matcher.accept("e it")).isEqualTo("\nUse it");
        assertThat(matcher.accept(" now\n")).isEqualTo(" now");
        assertThat(matcher.flush()).isEqualTo("\n");
        assertThat(matcher.stopped()).isFalse();
    }

    @Test
    void stopsInsideADeltaAndDropsTheStopStringAndWhatFollows() {
        StopSequenceMatcher matcher = new StopSequenceMatcher(List.of("###"));
        assertThat(matcher.accept("answer #")).isEqualTo("answer ");
        assertThat(matcher.accept("## trailing")).isEmpty();
        assertThat(matcher.stopped()).isTrue();
        assertThat(matcher.matchedStop()).isEqualTo("###");
        assertThat(matcher.flush()).isEmpty();
        assertThatThrownBy(() -> matcher.accept("more")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void overlappingStopStringsStopAtTheFirstEndAndCutTheLongest() {
        // "b" ends before "abc" could: generation stops after "ab", the text is "a".
        StopSequenceMatcher first = new StopSequenceMatcher(List.of("abc", "b"));
        assertThat(first.accept("xabc")).isEqualTo("xa");
        assertThat(first.matchedStop()).isEqualTo("b");
        // "bc" and "abc" end at the same character: the longer one is cut.
        StopSequenceMatcher same = new StopSequenceMatcher(List.of("bc", "abc"));
        assertThat(same.accept("xa")).isEqualTo("x");
        assertThat(same.accept("bcd")).isEmpty();
        assertThat(same.matchedStop()).isEqualTo("abc");
        // A stop string that overlaps itself: "aab" inside "aaab".
        StopSequenceMatcher self = new StopSequenceMatcher(List.of("aab"));
        assertThat(self.accept("a")).isEmpty();
        assertThat(self.accept("a")).isEmpty();
        assertThat(self.accept("a")).isEqualTo("a");
        assertThat(self.accept("b")).isEmpty();
        assertThat(self.stopped()).isTrue();
    }

    @Test
    void neverSplitsASurrogatePair() {
        StopSequenceMatcher matcher = new StopSequenceMatcher(List.of("\uD83D\uDE00!"));
        assertThat(matcher.accept("ok \uD83D")).isEqualTo("ok ");
        assertThat(matcher.accept("\uDE00?")).isEqualTo("\uD83D\uDE00?");
        StopSequenceMatcher other = new StopSequenceMatcher(List.of("zz"));
        assertThat(other.accept("a\uD83D")).isEqualTo("a");
        assertThat(other.accept("\uDE01")).isEqualTo("\uD83D\uDE01");
    }

    @Test
    void randomTextsSplitAtRandomBoundariesMatchTheCharacterByCharacterDefinition() {
        Random random = new Random(31);
        String alphabet = "abc x";
        for (int trial = 0; trial < 5000; trial++) {
            List<String> stops = new ArrayList<>();
            for (int s = 1 + random.nextInt(3); s > 0; s--) {
                stops.add(randomString(random, alphabet, 1 + random.nextInt(4)));
            }
            String text = randomString(random, alphabet, random.nextInt(40));
            String expected = reference(text, stops);
            boolean expectStop = expected.length() < text.length() || endsWithStopAnywhere(text, stops);
            StopSequenceMatcher matcher = new StopSequenceMatcher(stops);
            StringBuilder emitted = new StringBuilder();
            int fed = 0;
            while (fed < text.length() && !matcher.stopped()) {
                int next = Math.min(text.length(), fed + random.nextInt(6));
                emitted.append(matcher.accept(text.substring(fed, next)));
                fed = next;
                String context = "stops " + stops + " text '" + text + "' fed " + fed;
                assertThat(expected).as(context).startsWith(emitted.toString());
                if (!matcher.stopped()) {
                    // Everything except a possible stop-string start is released at once.
                    assertThat(emitted.length())
                            .as(context)
                            .isEqualTo(fed - longestPendingPrefix(text.substring(0, fed), stops));
                }
            }
            emitted.append(matcher.flush());
            assertThat(emitted.toString()).as("stops %s text '%s'", stops, text).isEqualTo(expected);
            assertThat(matcher.stopped()).as("stops %s text '%s'", stops, text).isEqualTo(expectStop);
        }
    }

    /** Feeds one character at a time, stopping at the first position where the text ends with a stop string. */
    private static String reference(String text, List<String> stops) {
        for (int end = 1; end <= text.length(); end++) {
            String prefix = text.substring(0, end);
            String longest = null;
            for (String stop : stops) {
                if (prefix.endsWith(stop) && (longest == null || stop.length() > longest.length())) {
                    longest = stop;
                }
            }
            if (longest != null) {
                return prefix.substring(0, end - longest.length());
            }
        }
        return text;
    }

    private static boolean endsWithStopAnywhere(String text, List<String> stops) {
        return stops.stream().anyMatch(text::contains);
    }

    private static int longestPendingPrefix(String text, List<String> stops) {
        int longest = 0;
        for (String stop : stops) {
            for (int len = 1; len < stop.length() && len <= text.length(); len++) {
                if (text.endsWith(stop.substring(0, len))) {
                    longest = Math.max(longest, len);
                }
            }
        }
        return longest;
    }

    private static String randomString(Random random, String alphabet, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}

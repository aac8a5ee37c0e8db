package dev.phi4ee.core.generate.sampling;

import java.util.List;

/**
 * Finds stop strings in streamed text and decides what may be shown now. Each {@link #accept} call takes the next
 * text delta (from the streaming detokenizer) and returns the part that is safe to emit: it holds back the longest
 * suffix that is still the beginning of a stop string, so no stop string (nor a piece of one) ever reaches a
 * listener. Generation stops as soon as the text contains a stop string (HF {@code stop_strings}: the text ends with
 * one, checked after every character of the delta); the stop string and anything after it are dropped. When stop
 * strings of different lengths end at the same character, the longest one is cut. See
 * docs/decisions/decoding-stop-string-holdback.md.
 *
 * <p>The concatenation of all returned strings plus {@link #flush()} is the final text. One instance per request;
 * not thread-safe.
 */
public final class StopSequenceMatcher {
    private final String[] stops;
    private final StringBuilder held = new StringBuilder();
    private String matched;

    /** @param stopSequences non-empty strings; an empty list makes this a pass-through */
    public StopSequenceMatcher(List<String> stopSequences) {
        this.stops = stopSequences.toArray(String[]::new);
        for (String s : stops) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop sequences must not be empty");
            }
        }
    }

    /**
     * Takes the next delta and returns the text that can be emitted now (possibly empty).
     *
     * @throws IllegalStateException after a stop string was found
     */
    public String accept(String delta) {
        if (matched != null) {
            throw new IllegalStateException("a stop string was already matched");
        }
        if (stops.length == 0) {
            return delta;
        }
        int scannedUpTo = held.length();
        held.append(delta);
        // Check every new end position in order: the first one where some stop string ends is where generation
        // would have stopped had the text arrived one character at a time.
        for (int end = scannedUpTo + 1; end <= held.length(); end++) {
            String stop = longestStopEndingAt(end);
            if (stop != null) {
                matched = stop;
                String safe = held.substring(0, end - stop.length());
                held.setLength(0);
                return safe;
            }
        }
        int keep = longestPendingPrefix();
        int emit = held.length() - keep;
        if (emit > 0 && Character.isHighSurrogate(held.charAt(emit - 1))) {
            emit--; // never split a surrogate pair, even if a delta did
        }
        String safe = held.substring(0, emit);
        held.delete(0, emit);
        return safe;
    }

    /**
     * Ends the stream without a stop string (end-of-sequence token, length limit) and returns the held-back text;
     * empty after a match, since what was held then belonged to the stop string.
     */
    public String flush() {
        String rest = held.toString();
        held.setLength(0);
        return rest;
    }

    /** Whether a stop string was found; generation should end with {@code FinishReason.STOP}. */
    public boolean stopped() {
        return matched != null;
    }

    /** The stop string that ended generation, or null. */
    public String matchedStop() {
        return matched;
    }

    private String longestStopEndingAt(int end) {
        String best = null;
        for (String stop : stops) {
            int start = end - stop.length();
            if (start >= 0
                    && (best == null || stop.length() > best.length())
                    && matchesAt(start, stop, stop.length())) {
                best = stop;
            }
        }
        return best;
    }

    /** Length of the longest suffix of the held text that is a proper prefix of a stop string. */
    private int longestPendingPrefix() {
        int longest = 0;
        int n = held.length();
        for (String stop : stops) {
            for (int len = Math.min(n, stop.length() - 1); len > longest; len--) {
                if (matchesAt(n - len, stop, len)) {
                    longest = len;
                    break;
                }
            }
        }
        return longest;
    }

    /** Whether {@code held[from, from + length)} equals the first {@code length} chars of {@code stop}. */
    private boolean matchesAt(int from, String stop, int length) {
        for (int i = 0; i < length; i++) {
            if (held.charAt(from + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}

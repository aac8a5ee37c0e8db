package dev.phi4ee.core.generate.constrain;

import java.util.Map;

/**
 * The supported {@code format} values as patterns of the {@link RegexCompiler} subset. Each admits a subset of the
 * format's valid strings, so whatever is generated validates: dates are real calendar dates (29 February is left out
 * rather than tracking leap years), times have no leap second and an upper-case {@code Z}/{@code T}, UUIDs are lower
 * case, offsets stay within ±17:59 (what java.time accepts), and e-mail addresses are plain dot-atoms at a dotted
 * domain under a common top-level domain (RFC 5321 without quoting or IP literals).
 */
final class Formats {
    private static final String DATE = "[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
            + "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))";
    private static final String TIME =
            "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,6})?(?:Z|[+-](?:0[0-9]|1[0-7]):[0-5][0-9])";

    /** Validators check the top-level domain against IANA's list; these are long-standing entries of it. */
    private static final String TOP_LEVEL_DOMAINS = "com|org|net|edu|gov|info|io|eu|de|fr|uk|nl|ch|it|es|se|jp|ca|au";

    private static final Map<String, String> PATTERNS = Map.of(
            "date", "^" + DATE + "$",
            "time", "^" + TIME + "$",
            "date-time", "^" + DATE + "T" + TIME + "$",
            "uuid", "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
            "email",
                    "^[A-Za-z0-9_+-]{1,32}(?:\\.[A-Za-z0-9_+-]{1,32}){0,3}"
                            + "@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,20}[A-Za-z0-9])?\\.){1,3}(?:" + TOP_LEVEL_DOMAINS
                            + ")$");

    static final String NAMES = "date, date-time, time, uuid, email";

    private Formats() {}

    /** The pattern of {@code format}, or null when it is not supported. */
    static String regex(String format) {
        return PATTERNS.get(format);
    }
}

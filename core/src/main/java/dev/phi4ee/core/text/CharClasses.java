package dev.phi4ee.core.text;

/**
 * The character classes of the o200k pre-tokenizer regex (phi4mm-reference.md §6.1) as bit flags per code point, with
 * {@code \s} meaning Unicode White_Space (the regex is evaluated with Unicode character classes, as tiktoken and
 * jtokkit do). Computed from the running JDK's Unicode tables, so they always agree with {@code java.util.regex} on
 * the same JDK; BMP code points come from a 64 KiB table, supplementary ones are classified on the fly.
 */
final class CharClasses {
    /** {@code \p{L}}. */
    static final int LETTER = 1;
    /** {@code \p{N}}. */
    static final int NUMBER = 1 << 1;
    /** {@code [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]}. */
    static final int UPPERISH = 1 << 2;
    /** {@code [\p{Ll}\p{Lm}\p{Lo}\p{M}]}. */
    static final int LOWERISH = 1 << 3;
    /** {@code [^\r\n\p{L}\p{N}]}: the optional one-character prefix of a word. */
    static final int WORD_PREFIX = 1 << 4;
    /** {@code \s}. */
    static final int SPACE = 1 << 5;
    /** {@code [^\s\p{L}\p{N}]}: punctuation, symbols, marks, controls. */
    static final int SYMBOL = 1 << 6;
    /** {@code [\r\n]}. */
    static final int NEWLINE = 1 << 7;

    private static final byte[] BMP = new byte[0x10000];

    static {
        for (int c = 0; c < BMP.length; c++) {
            BMP[c] = (byte) compute(c);
        }
    }

    private CharClasses() {}

    static int of(int codePoint) {
        return codePoint < 0x10000 ? BMP[codePoint] & 0xFF : compute(codePoint);
    }

    static int compute(int cp) {
        int type = Character.getType(cp);
        boolean letter =
                switch (type) {
                    case Character.UPPERCASE_LETTER,
                            Character.LOWERCASE_LETTER,
                            Character.TITLECASE_LETTER,
                            Character.MODIFIER_LETTER,
                            Character.OTHER_LETTER -> true;
                    default -> false;
                };
        boolean number =
                switch (type) {
                    case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> true;
                    default -> false;
                };
        boolean mark =
                switch (type) {
                    case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> true;
                    default -> false;
                };
        boolean space = isWhiteSpace(cp, type);
        boolean newline = cp == '\r' || cp == '\n';
        int flags = 0;
        if (letter) {
            flags |= LETTER;
        }
        if (number) {
            flags |= NUMBER;
        }
        if (type == Character.UPPERCASE_LETTER
                || type == Character.TITLECASE_LETTER
                || type == Character.MODIFIER_LETTER
                || type == Character.OTHER_LETTER
                || mark) {
            flags |= UPPERISH;
        }
        if (type == Character.LOWERCASE_LETTER
                || type == Character.MODIFIER_LETTER
                || type == Character.OTHER_LETTER
                || mark) {
            flags |= LOWERISH;
        }
        if (!newline && !letter && !number) {
            flags |= WORD_PREFIX;
        }
        if (space) {
            flags |= SPACE;
        }
        if (!space && !letter && !number) {
            flags |= SYMBOL;
        }
        if (newline) {
            flags |= NEWLINE;
        }
        return flags;
    }

    /** {@code \s}: Unicode White_Space (also what Rust's regex crate means by {@code \s}). */
    static boolean isWhiteSpace(int codePoint) {
        return (of(codePoint) & SPACE) != 0;
    }

    /**
     * {@code \w} of Rust's regex crate and of {@code java.util.regex} under {@code UNICODE_CHARACTER_CLASS} (UTS #18
     * Annex C): Alphabetic, marks, decimal digits, connector punctuation, Join_Control. Hugging Face tokenizers uses it
     * for the {@code single_word} flag of added tokens.
     */
    static boolean isWord(int cp) {
        if (Character.isAlphabetic(cp) || cp == 0x200C || cp == 0x200D) {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK,
                    Character.ENCLOSING_MARK,
                    Character.COMBINING_SPACING_MARK,
                    Character.DECIMAL_DIGIT_NUMBER,
                    Character.CONNECTOR_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** Unicode White_Space, as {@code \s} under {@code UNICODE_CHARACTER_CLASS}. */
    private static boolean isWhiteSpace(int cp, int type) {
        return type == Character.SPACE_SEPARATOR
                || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR
                || (cp >= 0x9 && cp <= 0xD)
                || cp == 0x85;
    }
}

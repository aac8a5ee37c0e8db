package dev.phi4ee.core.text;

/**
 * An entry of tokenizer.json's {@code added_tokens} with Hugging Face's flags: matched as a whole string before BPE
 * (template text only, see {@link AddedTokenMatcher} for what the flags do).
 */
record AddedToken(
        int id,
        String content,
        boolean special,
        boolean lstrip,
        boolean rstrip,
        boolean singleWord,
        boolean normalized) {}

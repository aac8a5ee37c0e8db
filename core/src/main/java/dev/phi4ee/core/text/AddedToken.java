package dev.phi4ee.core.text;

/** An entry of tokenizer.json's {@code added_tokens}: matched as a whole string before BPE (template text only). */
record AddedToken(int id, String content, boolean special) {}

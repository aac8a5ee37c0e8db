/**
 * Text in and out of the model (phi4mm-reference.md §6): {@link dev.phi4ee.core.text.Phi4Tokenizer} loads the model
 * directory's {@code tokenizer.json} (o200k_base byte-level BPE plus Phi-4's added tokens) and encodes and decodes;
 * {@link dev.phi4ee.core.text.ChatTemplate} renders chat messages into prompt ids with media placeholders;
 * {@link dev.phi4ee.core.text.StreamingDetokenizer} turns generated ids into text as it becomes complete UTF-8.
 */
package dev.phi4ee.core.text;

package dev.phi4ee.core.api;

/** How the decoder's KV cache is held between steps. */
public enum KvCacheMode {
    /** As {@code genai_config.json} says ({@code search.past_present_share_buffer}). */
    AUTO,
    /** One {@code max_length} buffer per layer bound as both past input and present output (GroupQueryAttention). */
    SHARED_BUFFER,
    /** Present outputs of one step become the past inputs of the next; buffers grow with the sequence. */
    GROWING
}

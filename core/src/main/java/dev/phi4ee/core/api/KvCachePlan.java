package dev.phi4ee.core.api;

import java.util.Locale;

/**
 * How an engine sized its KV cache at open, from a memory budget (docs/decisions/runtime-kv-memory-plan.md).
 *
 * @param mode {@code SHARED_BUFFER}: {@code slots × window} tokens reserved up front (continuous batching);
 *     {@code GROWING}: one request at a time, its cache grows step by step up to the window
 * @param memory where the cache lives: {@code host} or {@code cuda:N}
 * @param bytesPerToken 2 × layers × kv_heads × head_size × element size (128 KiB for the release in fp16)
 * @param window the context window in effect: most prompt + generated tokens of one request
 * @param slots requests decoded together (1 in growing mode)
 * @param totalBytes shared buffer: {@code slots × window × bytesPerToken}, reserved (committed as written on the
 *     host); growing: the peak of one request at a full window, past and present both held during a step
 * @param budgetBytes the budget the plan fits in
 * @param budgetSource where the budget came from, in words (option, probe, numbers)
 */
public record KvCachePlan(
        KvCacheMode mode,
        String memory,
        long bytesPerToken,
        int window,
        int slots,
        long totalBytes,
        long budgetBytes,
        String budgetSource) {

    /** One line for logs and {@code phi4 inspect-model}. */
    public String describe() {
        String layout = mode == KvCacheMode.GROWING
                ? "growing, 1 request at a time, peak " + formatBytes(totalBytes) + " (past + present)"
                : slots + (slots == 1 ? " slot" : " slots") + ", " + formatBytes(totalBytes) + " shared buffer";
        return "KV cache in " + memory + " memory: " + formatBytes(bytesPerToken) + " per token, window " + window
                + ", " + layout + "; budget " + formatBytes(budgetBytes) + " from " + budgetSource;
    }

    /** {@code 512 B}, {@code 128 KiB}, {@code 1.5 GiB}: binary units, one decimal above KiB. */
    public static String formatBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < (1L << 20)) {
            return bytes % 1024 == 0 ? bytes / 1024 + " KiB" : String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        String[] units = {"MiB", "GiB", "TiB"};
        double v = bytes / (double) (1L << 20);
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}

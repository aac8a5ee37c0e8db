package dev.phi4ee.core.generate.constrain;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * The byte strings of a model's plain tokens (byte-level BPE: each id is raw bytes, possibly part of a UTF-8
 * character), arranged as a trie so that the tokens a grammar state allows are found by one walk that prunes every
 * subtree whose prefix the grammar rejects, instead of testing 200k ids one by one. Built once per engine; immutable.
 *
 * <p>The trie is stored flat: node {@code n}'s children are {@code childStart[n] … childStart[n + 1]} in arrays of
 * edge labels and child nodes; {@code tokensAt[n]} lists the ids whose bytes end at {@code n}.
 */
public final class TokenVocabulary {
    private final int size;
    private final byte[][] bytes;
    final int[] childStart;
    final byte[] label;
    final int[] child;
    final int[] tokenStart;
    final int[] tokenIds;
    private StringBodyTokens stringBody;

    private TokenVocabulary(int size, byte[][] bytes) {
        this.size = size;
        this.bytes = bytes;
        Integer[] order = new Integer[size];
        int plain = 0;
        for (int id = 0; id < size; id++) {
            if (bytes[id] != null && bytes[id].length > 0) {
                order[plain++] = id;
            }
        }
        Integer[] ids = Arrays.copyOf(order, plain);
        Arrays.sort(ids, (a, b) -> Arrays.compareUnsigned(bytes[a], bytes[b]));
        // Nodes in pre-order of the sorted strings: a new node per byte beyond the common prefix with the previous.
        int maxNodes = 1;
        for (Integer id : ids) {
            maxNodes += bytes[id].length;
        }
        int[] parent = new int[maxNodes];
        byte[] edge = new byte[maxNodes];
        int[] endCount = new int[maxNodes];
        int[] path = new int[257];
        int nodes = 1;
        byte[] previous = new byte[0];
        int[] nodeOfToken = new int[plain];
        for (int k = 0; k < plain; k++) {
            byte[] b = bytes[ids[k]];
            int common = Arrays.mismatch(previous, b);
            common = common < 0 ? b.length : Math.min(common, Math.min(previous.length, b.length));
            if (b.length >= path.length) {
                path = Arrays.copyOf(path, b.length + 1);
            }
            for (int i = common; i < b.length; i++) {
                parent[nodes] = path[i];
                edge[nodes] = b[i];
                path[i + 1] = nodes++;
            }
            nodeOfToken[k] = path[b.length];
            endCount[path[b.length]]++;
            previous = b;
        }
        // Children of a node are contiguous after grouping by parent (pre-order keeps them sorted by label).
        childStart = new int[nodes + 1];
        for (int n = 1; n < nodes; n++) {
            childStart[parent[n] + 1]++;
        }
        for (int n = 0; n < nodes; n++) {
            childStart[n + 1] += childStart[n];
        }
        label = new byte[Math.max(0, nodes - 1)];
        child = new int[Math.max(0, nodes - 1)];
        int[] fill = Arrays.copyOf(childStart, nodes);
        for (int n = 1; n < nodes; n++) {
            int at = fill[parent[n]]++;
            label[at] = edge[n];
            child[at] = n;
        }
        tokenStart = new int[nodes + 1];
        for (int n = 0; n < nodes; n++) {
            tokenStart[n + 1] = tokenStart[n] + endCount[n];
        }
        tokenIds = new int[plain];
        int[] put = Arrays.copyOf(tokenStart, nodes);
        for (int k = 0; k < plain; k++) {
            tokenIds[put[nodeOfToken[k]]++] = ids[k];
        }
    }

    /**
     * @param size entries of a logits row (the model's vocabulary, padding rows included)
     * @param plainBytes the bytes of a plain token; null (or empty) for control tokens and unused ids, which the trie
     *     leaves out
     */
    public static TokenVocabulary of(int size, IntFunction<byte[]> plainBytes) {
        byte[][] bytes = new byte[size][];
        for (int id = 0; id < size; id++) {
            bytes[id] = plainBytes.apply(id);
        }
        return new TokenVocabulary(size, bytes);
    }

    /** Entries of a logits row. */
    public int size() {
        return size;
    }

    /** The tokens' behaviour inside a string body without a pattern, computed on first use (~0.1 s for 200k). */
    synchronized StringBodyTokens stringBody() {
        if (stringBody == null) {
            stringBody = StringBodyTokens.of(this);
        }
        return stringBody;
    }

    /** The bytes of a plain token, or null. */
    byte[] bytes(int id) {
        return id >= 0 && id < size ? bytes[id] : null;
    }
}

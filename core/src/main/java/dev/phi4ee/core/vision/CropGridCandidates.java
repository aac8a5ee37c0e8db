package dev.phi4ee.core.vision;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The candidate crop grids of the aspect-ratio search (reference §7.3) in the reference's exact order.
 *
 * <p>The reference builds {@code set((i, j) for n in 1..max for i in 1..n for j in 1..n if 1 <= i*j <= max)} and
 * sorts it by {@code i*j} with Python's stable sort, so grids with equal products keep CPython's set iteration
 * order. That order decides exact ties between different ratios, so this class replays CPython's (3.8+, 64-bit)
 * tuple hash and open-addressing set insertion to reproduce it for any {@code dynamic_hd}; the test checks it
 * against the 140-entry list of §7.3.
 */
final class CropGridCandidates {

    private static final ConcurrentHashMap<Integer, int[][]> CACHE = new ConcurrentHashMap<>();

    private CropGridCandidates() {}

    /** Candidates as {@code {columns, rows}} pairs, in search order. The returned array must not be modified. */
    static int[][] forMaxCrops(int maxCrops) {
        return CACHE.computeIfAbsent(maxCrops, CropGridCandidates::compute);
    }

    private static int[][] compute(int maxCrops) {
        PySet set = new PySet();
        for (int n = 1; n <= maxCrops; n++) {
            for (int i = 1; i <= n; i++) {
                for (int j = 1; j <= n; j++) {
                    if (i * j <= maxCrops) {
                        set.add(i, j);
                    }
                }
            }
        }
        List<int[]> ordered = set.iterationOrder();
        ordered.sort(Comparator.comparingInt(g -> g[0] * g[1])); // List.sort is stable, like Python's sorted
        return ordered.toArray(new int[0][]);
    }

    /** CPython's {@code tuplehash} for a pair of small non-negative ints (xxHash-based since 3.8). */
    static long tupleHash(int a, int b) {
        final long prime1 = 0x9E3779B185EBCA87L; // _PyHASH_XXPRIME_1
        final long prime2 = 0xC2B2AE3D27D4EB4FL; // _PyHASH_XXPRIME_2
        final long prime5 = 0x27D4EB2F165667C5L; // _PyHASH_XXPRIME_5
        long acc = prime5;
        for (long lane : new long[] {a, b}) { // hash(int) == int for small ints
            acc += lane * prime2;
            acc = Long.rotateLeft(acc, 31);
            acc *= prime1;
        }
        acc += 2L ^ (prime5 ^ 3527539L);
        return acc == -1L ? 1546275796L : acc;
    }

    /** CPython's set table (Objects/setobject.c): linear probes then perturbation, resize at 3/5 fill. */
    private static final class PySet {
        private static final int LINEAR_PROBES = 9;
        private static final int PERTURB_SHIFT = 5;

        private int[][] keys = new int[8][];
        private long[] hashes = new long[8];
        private int used;

        void add(int a, int b) {
            long hash = tupleHash(a, b);
            int slot = findSlot(keys, hashes, hash, a, b);
            if (keys[slot] != null) {
                return; // already present
            }
            keys[slot] = new int[] {a, b};
            hashes[slot] = hash;
            used++;
            int mask = keys.length - 1;
            if ((long) used * 5 >= (long) mask * 3) {
                resize(used > 50000 ? used * 2 : used * 4);
            }
        }

        /** The slot holding (a, b), or the first empty slot on its probe sequence. */
        private static int findSlot(int[][] keys, long[] hashes, long hash, int a, int b) {
            int mask = keys.length - 1;
            long perturb = hash;
            int i = (int) (hash & mask);
            while (true) {
                int probes = (i + LINEAR_PROBES <= mask) ? LINEAR_PROBES : 0;
                for (int p = 0, e = i; p <= probes; p++, e++) {
                    if (keys[e] == null) {
                        return e;
                    }
                    if (hashes[e] == hash && keys[e][0] == a && keys[e][1] == b) {
                        return e;
                    }
                }
                perturb >>>= PERTURB_SHIFT;
                i = (int) ((i * 5L + 1 + perturb) & mask);
            }
        }

        private void resize(int minUsed) {
            int newSize = 8;
            while (newSize <= minUsed) {
                newSize <<= 1;
            }
            int[][] newKeys = new int[newSize][];
            long[] newHashes = new long[newSize];
            for (int e = 0; e < keys.length; e++) {
                if (keys[e] != null) {
                    int slot = findSlot(newKeys, newHashes, hashes[e], keys[e][0], keys[e][1]);
                    newKeys[slot] = keys[e];
                    newHashes[slot] = hashes[e];
                }
            }
            keys = newKeys;
            hashes = newHashes;
        }

        List<int[]> iterationOrder() {
            List<int[]> out = new ArrayList<>(used);
            for (int[] k : keys) {
                if (k != null) {
                    out.add(k);
                }
            }
            return out;
        }
    }
}

package dev.phi4ee.core.generate.sampling;

import java.util.Arrays;

/**
 * Top-p (then min-p) over a whole row in linear time. The nucleus is a prefix of the value-descending order, so it is
 * fixed by one threshold: a histogram of probability mass over the distance below the maximum finds the bucket in
 * which the cumulative mass reaches {@code topP}; only that bucket is sorted. A peaked row sorts a handful of entries
 * and even a flat row only one bucket's share, instead of the 200k-entry sort of a straightforward implementation.
 */
final class NucleusSelection {
    static final int BUCKETS = 1024;

    private final double[] mass = new double[BUCKETS];
    private final CandidateRanking boundary = new CandidateRanking();

    /**
     * Bucket of value {@code x}: {@code floor((max - x) * scale)}, or -1 when {@code x} is negligible
     * ({@code max - x > limit}) or not finite. Monotone: a larger value never lands in a later bucket.
     */
    static int bucketOf(float x, float max, double scale, double limit) {
        double d = (double) max - x;
        if (!(d <= limit)) {
            return -1;
        }
        return Math.min((int) (d * scale), BUCKETS - 1);
    }

    /**
     * Leaves in {@code out} (index order, weights set) the tokens kept by top-p {@code topP} and min-p
     * ({@code logMinP}, negative infinity when off); returns their number.
     *
     * @param limit distance below the maximum beyond which tokens count as weightless
     */
    int select(float[] s, int n, float max, double limit, double topP, double logMinP, CandidateRanking out) {
        float lowest = max;
        for (int i = 0; i < n; i++) {
            float x = s[i];
            if (x < lowest && (double) max - x <= limit) {
                lowest = x;
            }
        }
        double spread = (double) max - lowest;
        double scale = spread > 0 ? BUCKETS / spread : 1;
        Arrays.fill(mass, 0);
        double total = 0;
        for (int i = 0; i < n; i++) {
            int b = bucketOf(s[i], max, scale, limit);
            if (b >= 0) {
                double w = Math.exp((double) s[i] - max);
                mass[b] += w;
                total += w;
            }
        }
        double target = topP * total;
        // First bucket whose cumulative mass reaches the target; everything in earlier buckets is kept. (Rounding can
        // leave the target unreached when topP is within an ulp of 1: then every weighty token is kept.)
        double above = 0;
        int last = 0;
        boolean reached = false;
        for (int b = 0; b < BUCKETS && !reached; b++) {
            if (mass[b] > 0) {
                last = b;
                reached = above + mass[b] >= target;
                if (!reached) {
                    above += mass[b];
                }
            }
        }
        boundary.selectBucket(s, n, max, scale, limit, last);
        int cut = boundary.count();
        if (reached) {
            // Inside that bucket, keep tokens while the mass ranked above them is below the target (HF
            // TopPLogitsWarper); the bucket's first token always stays since the mass before the bucket is short.
            for (int j = 0; j < boundary.count(); j++) {
                if (above >= target) {
                    cut = j;
                    break;
                }
                above += Math.exp((double) s[boundary.tokenId(j)] - max);
            }
        }
        long lastKey = boundary.key(cut - 1);
        out.selectUpTo(s, n, lastKey, max, logMinP);
        out.computeWeights(s, max, out.count());
        return out.count();
    }
}

package dev.phi4ee.core.generate.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.TensorFloatType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link ArgmaxScan} against the plain loop it replaces, on rows built to hit every branch of the blocked scan. */
class ArgmaxScanTest {

    @ParameterizedTest
    @EnumSource(TensorFloatType.class)
    void equalsTheScalarArgmaxOverTheAllowedIds(TensorFloatType type) {
        Random random = new Random(17);
        ArgmaxScan scan = new ArgmaxScan();
        int[] sizes = {1, 2, 3, 255, 256, 257, 2047, 2048, 2049, 4097, 9000, 200_064};
        for (int trial = 0; trial < 1500; trial++) {
            int size = trial < sizes.length * 4 ? sizes[trial % sizes.length] : 1 + random.nextInt(6000);
            float[] values = row(random, size, type);
            int offset = random.nextInt(4); // odd offsets put float16 pairs across int boundaries
            LogitsRow row = at(type, offset, values);
            int[] excluded = excluded(random, size);
            assertThat(scan.argmax(row, excluded, excluded.length))
                    .as("trial %d, size %d, offset %d, %d excluded", trial, size, offset, excluded.length)
                    .isEqualTo(reference(values, excluded));
        }
    }

    @ParameterizedTest
    @EnumSource(TensorFloatType.class)
    void theBestFewAreRankedByValueThenIndex(TensorFloatType type) {
        Random random = new Random(29);
        ArgmaxScan scan = new ArgmaxScan();
        for (int trial = 0; trial < 800; trial++) {
            int size = 1 + random.nextInt(trial % 10 == 0 ? 20_000 : 1500);
            float[] values = row(random, size, type);
            int[] excluded = excluded(random, size);
            int m = new int[] {1, 2, 3, 16, 40}[random.nextInt(5)];
            int found = scan.best(at(type, random.nextInt(3), values), excluded, excluded.length, m);
            int[] actual = IntStream.range(0, found).map(scan::rankedId).toArray();
            assertThat(actual).as("trial %d, m %d", trial, m).containsExactly(referenceBest(values, excluded, m));
        }
    }

    @ParameterizedTest
    @EnumSource(TensorFloatType.class)
    void signedZerosAreEqualSoTheFirstOneWins(TensorFloatType type) {
        // Everything else negative: -0 at 300 comes first, +0 at 700 (a later block) must not replace it.
        float[] values = new float[1000];
        Arrays.fill(values, -1f);
        values[300] = -0f;
        values[700] = 0f;
        assertThat(new ArgmaxScan().argmax(at(type, 1, values), new int[0], 0)).isEqualTo(300);
        values[300] = 0f;
        values[700] = -0f;
        assertThat(new ArgmaxScan().argmax(at(type, 0, values), new int[0], 0)).isEqualTo(300);
    }

    @ParameterizedTest
    @EnumSource(TensorFloatType.class)
    void nanIsSkippedEvenAsTheLargestBitPatternOfABlock(TensorFloatType type) {
        float[] values = new float[600];
        Arrays.fill(values, 1f);
        values[5] = 2f;
        values[260] = Float.NaN;
        values[270] = 3f;
        values[520] = Float.intBitsToFloat(0xffc00000); // negative NaN
        assertThat(new ArgmaxScan().argmax(at(type, 0, values), new int[0], 0)).isEqualTo(270);
        assertThat(new ArgmaxScan().argmax(at(type, 0, values), new int[] {270}, 1))
                .isEqualTo(5);
        float[] dead = {Float.NaN, Float.NEGATIVE_INFINITY, Float.NaN};
        assertThat(new ArgmaxScan().argmax(at(type, 0, dead), new int[0], 0)).isEqualTo(-1);
        assertThat(new ArgmaxScan().argmax(at(type, 0, new float[] {4f, 2f}), new int[] {0, 1}, 2))
                .isEqualTo(-1);
    }

    /** Gaussian values, fp16-rounded for float16 rows, with runs of ties, ±0, ±inf and NaN sprinkled in. */
    static float[] row(Random random, int size, TensorFloatType type) {
        float[] v = new float[size];
        int style = random.nextInt(4);
        for (int i = 0; i < size; i++) {
            v[i] = switch (style) {
                case 0 -> (float) (random.nextGaussian() * 4);
                case 1 -> random.nextInt(5) * 0.5f - 1f; // few levels: ties everywhere
                case 2 -> (float) (random.nextGaussian() * 1e-3);
                default -> -Math.abs((float) random.nextGaussian()) - 0.5f; // all negative
            };
        }
        int specials = random.nextInt(8);
        for (int k = 0; k < specials; k++) {
            float[] pick = {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 0f, -0f, 65504f};
            v[random.nextInt(size)] = pick[random.nextInt(random.nextInt(10) == 0 ? pick.length : 2)];
        }
        return type == TensorFloatType.FLOAT16 ? Rows.roundedToHalf(v) : v;
    }

    static int[] excluded(Random random, int size) {
        TreeSet<Integer> ids = new TreeSet<>();
        int n = random.nextInt(4) == 0 ? 0 : random.nextInt(40);
        for (int k = 0; k < n; k++) {
            int id = random.nextBoolean() ? random.nextInt(size) : size - 1 - random.nextInt(Math.min(size, 70));
            ids.add(id);
            if (random.nextInt(5) == 0) {
                ids.add(id + 1000); // beyond the row: ignored
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The obvious loop: first index of the largest allowed value; NaN and -inf never win. */
    static int reference(float[] values, int[] excluded) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < values.length; i++) {
            if (Arrays.binarySearch(excluded, i) < 0 && values[i] > bestValue) {
                bestValue = values[i];
                best = i;
            }
        }
        return best;
    }

    /** Allowed entries above -inf, NaN left out, by value descending then index ascending; the first m. */
    static int[] referenceBest(float[] values, int[] excluded, int m) {
        return IntStream.range(0, values.length)
                .filter(i -> Arrays.binarySearch(excluded, i) < 0 && values[i] > Float.NEGATIVE_INFINITY)
                .boxed()
                .sorted((a, b) -> values[a] != values[b] ? Float.compare(values[b], values[a]) : Integer.compare(a, b))
                .limit(m)
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /** A row of {@code values} starting at element {@code offset} of a larger buffer with garbage around it. */
    static LogitsRow at(TensorFloatType type, int offset, float[] values) {
        int bytes = type == TensorFloatType.FLOAT16 ? 2 : 4;
        int total = offset + values.length + 3;
        ByteBuffer buffer = ByteBuffer.allocateDirect(total * bytes).order(ByteOrder.nativeOrder());
        for (int i = 0; i < total; i++) {
            float v = i >= offset && i < offset + values.length ? values[i - offset] : 1e4f;
            if (type == TensorFloatType.FLOAT16) {
                buffer.putShort(i * 2, Float.floatToFloat16(v));
            } else {
                buffer.putFloat(i * 4, v);
            }
        }
        return LogitsRow.of(buffer, type, offset, values.length);
    }
}

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.Random;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Argmax over one Phi-4 logits row (200,064 float32 in a direct buffer), four ways, for
 * docs/decisions/decoding-token-choice-fast-paths.md. Not part of the build (it needs the incubating Vector API):
 *
 * <pre>java --add-modules jdk.incubator.vector benchmarks/vector-probe/ArgmaxVectorProbe.java</pre>
 *
 * scalar: the loop the engine used before (getFloat, compare, keep the first largest). plain blocked: the engine's
 * ArgmaxScan (bulk copy of 2,048 ints, order-preserving int keys, block maximum by Math.max, which the JIT
 * vectorises); memory segment: the same blocks read through a MemorySegment (final API only from Java 22; the
 * project compiles for 21); vector API: the same blocks with IntVector lanes.
 */
public class ArgmaxVectorProbe {
    static final int N = 200_064, CHUNK = 2048, BLOCK = 256;
    static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    static final VectorSpecies<Integer> S = IntVector.SPECIES_PREFERRED;
    static final int[] chunk = new int[CHUNK];

    static int key(int b) {
        int o = b ^ ((b >> 31) & 0x7fffffff);
        return o + (o >>> 31);
    }

    static int scalar(ByteBuffer b) {
        int best = -1;
        float bv = Float.NEGATIVE_INFINITY;
        for (int i = 0, p = 0; i < N; i++, p += 4) {
            float v = b.getFloat(p);
            if (v > bv) {
                bv = v;
                best = i;
            }
        }
        return best;
    }

    static int plainBlocked(IntBuffer v) {
        int best = -1, bestKey = Integer.MIN_VALUE;
        for (int base = 0; base < N; base += CHUNK) {
            int len = Math.min(CHUNK, N - base);
            v.get(base, chunk, 0, len);
            for (int s = 0; s < len; s += BLOCK) {
                int e = Math.min(len, s + BLOCK), m = Integer.MIN_VALUE;
                for (int i = s; i < e; i++) m = Math.max(m, key(chunk[i]));
                if (m > bestKey) {
                    for (int i = s; i < e; i++) if (key(chunk[i]) == m) { best = base + i; bestKey = m; break; }
                }
            }
        }
        return best;
    }

    static int segment(MemorySegment seg) {
        int best = -1, bestKey = Integer.MIN_VALUE;
        for (int s = 0; s < N; s += BLOCK) {
            int e = Math.min(N, s + BLOCK), m = Integer.MIN_VALUE;
            for (int i = s; i < e; i++) m = Math.max(m, key(seg.getAtIndex(I, i)));
            if (m > bestKey) {
                for (int i = s; i < e; i++) if (key(seg.getAtIndex(I, i)) == m) { best = i; bestKey = m; break; }
            }
        }
        return best;
    }

    static int vector(MemorySegment seg) {
        int best = -1, bestKey = Integer.MIN_VALUE, lanes = S.length();
        for (int s = 0; s < N; s += BLOCK) {
            int e = Math.min(N, s + BLOCK), i = s;
            IntVector acc = IntVector.broadcast(S, Integer.MIN_VALUE);
            for (; i + lanes <= e; i += lanes) {
                IntVector b = IntVector.fromMemorySegment(S, seg, 4L * i, ByteOrder.nativeOrder());
                IntVector o = b.lanewise(VectorOperators.XOR, b.lanewise(VectorOperators.ASHR, 31).and(0x7fffffff));
                acc = acc.max(o.add(o.lanewise(VectorOperators.LSHR, 31)));
            }
            int m = acc.reduceLanes(VectorOperators.MAX);
            for (; i < e; i++) m = Math.max(m, key(seg.getAtIndex(I, i)));
            if (m > bestKey) {
                for (int j = s; j < e; j++) if (key(seg.getAtIndex(I, j)) == m) { best = j; bestKey = m; break; }
            }
        }
        return best;
    }

    interface Kernel {
        int run();
    }

    public static void main(String[] args) {
        Random r = new Random(1);
        ByteBuffer b = ByteBuffer.allocateDirect(4 * N).order(ByteOrder.nativeOrder());
        for (int i = 0; i < N; i++) b.putFloat(4 * i, (float) (r.nextGaussian() * 3));
        IntBuffer ints = b.slice(0, b.capacity()).order(ByteOrder.nativeOrder()).asIntBuffer();
        MemorySegment seg = MemorySegment.ofBuffer(b);
        String[] names = {"scalar (previous engine)", "plain blocked (engine)", "memory segment blocked", "vector API blocked"};
        Kernel[] kernels = {() -> scalar(b), () -> plainBlocked(ints), () -> segment(seg), () -> vector(seg)};
        int rounds = 21;
        double[][] t = new double[kernels.length][rounds];
        for (int w = 0; w < 500; w++) for (Kernel k : kernels) k.run();
        int expected = scalar(b);
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < kernels.length; k++) {
                long t0 = System.nanoTime();
                for (int j = 0; j < 50; j++) if (kernels[k].run() != expected) throw new AssertionError(names[k]);
                t[k][round] = (System.nanoTime() - t0) / 1e3 / 50;
            }
        }
        for (int k = 0; k < kernels.length; k++) {
            Arrays.sort(t[k]);
            System.out.printf("%-26s median %6.1f us  min %6.1f us%n", names[k], t[k][rounds / 2], t[k][0]);
        }
    }
}

package dev.phi4ee.core.vision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class DirectBufferPoolTest {

    @Test
    void releasedBuffersAreReusedForSimilarSizes() {
        DirectBufferPool pool = new DirectBufferPool(1 << 20);
        ByteBuffer a = pool.acquire(100_000);
        assertThat(a.isDirect()).isTrue();
        assertThat(a.order()).isEqualTo(ByteOrder.nativeOrder());
        assertThat(a.limit()).isEqualTo(100_000);
        pool.release(a);
        assertThat(pool.retainedBytes()).isEqualTo(a.capacity());
        ByteBuffer b = pool.acquire(90_000);
        assertThat(b).isSameAs(a);
        assertThat(b.limit()).isEqualTo(90_000);
        assertThat(b.position()).isZero();
        assertThat(pool.retainedBytes()).isZero();
        // Far smaller requests do not take a large buffer.
        pool.release(b);
        assertThat(pool.acquire(1000)).isNotSameAs(a);
    }

    /** Found by EngineSoakTest: the few-KB mask and sizes buffers of each image request were never reused. */
    @Test
    void smallRequestsReuseTheGranuleTheyRoundUpTo() {
        DirectBufferPool pool = new DirectBufferPool(1 << 20);
        for (int i = 0; i < 100; i++) {
            ByteBuffer mask = pool.acquire(4096);
            ByteBuffer sizes = pool.acquire(16);
            pool.release(mask);
            pool.release(sizes);
        }
        assertThat(pool.retainedBytes()).as("two buffers parked, not 200").isEqualTo(2L << 16);
    }

    @Test
    void retentionIsBounded() {
        DirectBufferPool pool = new DirectBufferPool(200_000);
        ByteBuffer a = pool.acquire(150_000);
        ByteBuffer b = pool.acquire(150_000);
        pool.release(a);
        pool.release(b); // over the bound: dropped
        assertThat(pool.retainedBytes()).isEqualTo(a.capacity());
    }
}

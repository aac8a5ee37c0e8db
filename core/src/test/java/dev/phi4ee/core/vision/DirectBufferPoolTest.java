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

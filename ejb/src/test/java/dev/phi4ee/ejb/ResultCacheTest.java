package dev.phi4ee.ejb;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ResultCacheTest {

    private final AtomicLong now = new AtomicLong();

    private static Phi4Response text(String t) {
        Phi4Response r = new Phi4Response();
        r.setText(t);
        return r;
    }

    @Test
    void aKnownMessageIsClaimedOnceAndAnsweredFromItsResult() {
        ResultCache cache = new ResultCache(8, Duration.ofMinutes(1), now::get);
        ResultCache.Claim first = cache.claim("ID:1");
        assertThat(first.owner()).isTrue();
        ResultCache.Claim again = cache.claim("ID:1");
        assertThat(again.owner()).isFalse();
        assertThat(again.result()).isSameAs(first.result()).isNotDone();
        first.result().complete(text("a"));
        assertThat(cache.claim("ID:1").result().join().getText()).isEqualTo("a");
    }

    @Test
    void boundedInEntriesAndAge() {
        ResultCache cache = new ResultCache(2, Duration.ofSeconds(10), now::get);
        for (String id : new String[] {"ID:1", "ID:2", "ID:3"}) {
            cache.claim(id).result().complete(text(id));
        }
        assertThat(cache.size()).isEqualTo(2);
        ResultCache.Claim evicted = cache.claim("ID:1");
        assertThat(evicted.owner()).as("the oldest went first").isTrue();
        evicted.result().complete(text("ID:1"));

        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertThat(cache.claim("ID:3").owner()).as("expired").isTrue();
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void aFailedGenerationIsForgottenAndSizeZeroKeepsNothing() {
        ResultCache cache = new ResultCache(4, Duration.ofMinutes(1), now::get);
        ResultCache.Claim c = cache.claim("ID:1");
        cache.forget("ID:1", c.result());
        assertThat(cache.claim("ID:1").owner()).isTrue();

        ResultCache none = new ResultCache(0, Duration.ofMinutes(1), now::get);
        none.claim("ID:1").result().complete(text("a"));
        assertThat(none.claim("ID:1").owner()).isTrue();
        assertThat(none.size()).isZero();
    }
}

package dev.phi4ee.ejb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class ManagedCamelThreadsTest {

    @Test
    void camelPoolsRunOnThreadsOfTheGivenFactoryWithCamelsNames() throws Exception {
        Set<Thread> made = ConcurrentHashMap.newKeySet();
        ThreadFactory managed = r -> {
            Thread t = Thread.ofPlatform().daemon(true).unstarted(r);
            made.add(t);
            return t;
        };
        DefaultCamelContext context = Phi4CamelHost.newContext(null, managed);
        try {
            context.start();
            ExecutorService pool = context.getExecutorServiceManager().newThreadPool(this, "it-pool", 1, 1);
            Thread ran = pool.submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
            context.getExecutorServiceManager().shutdown(pool);

            assertThat(made).contains(ran);
            assertThat(ran.getName()).contains("it-pool");
        } finally {
            context.stop();
        }
    }
}

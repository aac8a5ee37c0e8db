package dev.phi4ee.ejb;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.DefaultThreadPoolFactory;

/**
 * Camel's pools with the server's managed threads: Camel sizes and names the pools as usual, each thread is made by
 * the {@code ManagedThreadFactory} and carries the name Camel gives it.
 */
final class ManagedCamelThreads extends DefaultThreadPoolFactory {

    private final ThreadFactory managed;

    ManagedCamelThreads(ThreadFactory managed) {
        this.managed = managed;
    }

    @Override
    public ExecutorService newCachedThreadPool(ThreadFactory camelNaming) {
        return super.newCachedThreadPool(named(camelNaming));
    }

    @Override
    public ExecutorService newThreadPool(ThreadPoolProfile profile, ThreadFactory camelNaming) {
        return super.newThreadPool(profile, named(camelNaming));
    }

    @Override
    public ScheduledExecutorService newScheduledThreadPool(ThreadPoolProfile profile, ThreadFactory camelNaming) {
        return super.newScheduledThreadPool(profile, named(camelNaming));
    }

    /** Threads from the managed factory, named as Camel's factory names them (an unstarted thread costs no OS thread). */
    private ThreadFactory named(ThreadFactory camelNaming) {
        return r -> {
            Thread t = managed.newThread(r);
            if (t != null) {
                t.setName(camelNaming.newThread(r).getName());
            }
            return t;
        };
    }
}

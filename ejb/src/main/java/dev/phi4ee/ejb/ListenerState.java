package dev.phi4ee.ejb;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * What the request listener's pooled instances share: its settings, read once, and the result cache.
 */
@ApplicationScoped
public class ListenerState {

    private volatile EngineSettings settings;
    private volatile long maxMessageBytes;
    private volatile ResultCache results;

    /** For tests: state from the given settings. */
    static ListenerState of(EngineSettings settings) {
        ListenerState s = new ListenerState();
        s.init(settings);
        return s;
    }

    public synchronized EngineSettings settings() {
        if (settings == null) {
            init(EngineSettings.fromEnvironment());
        }
        return settings;
    }

    public long maxMessageBytes() {
        settings();
        return maxMessageBytes;
    }

    ResultCache results() {
        settings();
        return results;
    }

    private void init(EngineSettings s) {
        this.maxMessageBytes = s.maxMessageBytes();
        this.results = new ResultCache(s.resultCacheSize(), s.resultCacheTtl(), System::nanoTime);
        this.settings = s;
    }
}

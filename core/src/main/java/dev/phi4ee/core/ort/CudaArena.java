package dev.phi4ee.core.ort;

import static org.bytedeco.onnxruntime.global.onnxruntime.OrtArenaAllocator;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtMemTypeDefault;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.onnxruntime.OrtArenaCfg;
import org.bytedeco.onnxruntime.OrtMemoryInfo;
import org.bytedeco.onnxruntime.StringStringMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CUDA arena shared by the sessions of one engine, instead of one arena per session (docs/decisions/
 * cuda-device-memory.md). ONNX Runtime shares an allocator registered on the environment ({@code
 * CreateAndRegisterAllocatorV2} with the CUDA provider, environment.cc) with every session created with {@code
 * session.use_env_allocators=1}, which replaces the session's own allocator for that device (inference_session.cc,
 * {@code UpdateAllocatorsWithEnvAllocators}). Sessions keep a reference to the allocator, so it is unregistered as
 * soon as the engine's sessions are open: the next engine registers its own, with its own limit.
 *
 * <p>Use: {@code try (var opening = CudaArena.open(device, limit)) { ...open the sessions on this thread... }}. The
 * arena is registered lazily, by the first session on this thread that really is created with CUDA (a CPU fallback
 * registers nothing); one engine at a time per device holds the scope.
 */
public final class CudaArena implements AutoCloseable {
    static {
        JavaCppDefaults.apply(); // before any JavaCPP class is initialised
    }

    private static final Logger LOG = LoggerFactory.getLogger(CudaArena.class);
    private static final String PROVIDER = "CUDAExecutionProvider";
    /** ONNX Runtime's ArenaExtendStrategy: 0 kNextPowerOfTwo, 1 kSameAsRequested. */
    static final long SAME_AS_REQUESTED = 1;

    private static final Map<Integer, ReentrantLock> DEVICE_LOCKS = new ConcurrentHashMap<>();
    private static final ThreadLocal<CudaArena> OPENING = new ThreadLocal<>();

    private final int device;
    private final long limitBytes;
    private final ReentrantLock lock;
    private OrtMemoryInfo registered;
    private boolean failed;

    private CudaArena(int device, long limitBytes, ReentrantLock lock) {
        this.device = device;
        this.limitBytes = limitBytes;
        this.lock = lock;
    }

    /**
     * Starts opening an engine's sessions on CUDA device {@code device} with one arena of at most {@code limitBytes};
     * waits while another engine opens on the same device. Close it once the sessions are open (or failed).
     */
    public static CudaArena open(int device, long limitBytes) {
        if (limitBytes <= 0) {
            throw new IllegalArgumentException("CUDA arena limit must be positive, was " + limitBytes);
        }
        if (OPENING.get() != null) {
            throw new IllegalStateException("a CUDA arena is already being filled on this thread");
        }
        ReentrantLock lock = DEVICE_LOCKS.computeIfAbsent(device, d -> new ReentrantLock());
        lock.lock();
        CudaArena arena = new CudaArena(device, limitBytes, lock);
        OPENING.set(arena);
        return arena;
    }

    /**
     * For a session being created with CUDA on {@code device}: true when it should set {@code
     * session.use_env_allocators=1}, i.e. this thread is opening an engine on that device and its arena is registered
     * (now, if this is the first such session). False elsewhere, and after the registration failed once (the
     * sessions then keep their own arenas, each with the same limit).
     */
    static boolean join(int device) {
        CudaArena arena = OPENING.get();
        return arena != null && arena.device == device && arena.register();
    }

    /** The arena's configuration for {@code CreateArenaCfgV2}: its limit, and growth by what is requested. */
    static Map<String, Long> arenaConfig(long limitBytes) {
        Map<String, Long> cfg = new LinkedHashMap<>();
        cfg.put("max_mem", limitBytes);
        cfg.put("arena_extend_strategy", SAME_AS_REQUESTED);
        return cfg;
    }

    public long limitBytes() {
        return limitBytes;
    }

    private boolean register() {
        if (registered != null) {
            return true;
        }
        if (failed) {
            return false;
        }
        OrtMemoryInfo info = null;
        OrtArenaCfg cfg = null;
        Map<String, Long> config = arenaConfig(limitBytes);
        try (PointerPointer<OrtMemoryInfo> outInfo = new PointerPointer<>(1);
                PointerPointer<OrtArenaCfg> outCfg = new PointerPointer<>(1);
                PointerPointer<BytePointer> keys = new PointerPointer<>(config.size());
                SizeTPointer values = new SizeTPointer(config.size());
                BytePointer name = new BytePointer("Cuda");
                StringStringMap providerOptions = new StringStringMap()) {
            OnnxRuntime.check(
                    OnnxRuntime.api().CreateMemoryInfo(name, OrtArenaAllocator, device, OrtMemTypeDefault, outInfo),
                    () -> "memory info Cuda:" + device);
            info = outInfo.get(OrtMemoryInfo.class, 0);
            int i = 0;
            for (Map.Entry<String, Long> e : config.entrySet()) {
                keys.put(i, new BytePointer(e.getKey()));
                values.put(i++, e.getValue());
            }
            OnnxRuntime.check(
                    OnnxRuntime.api().CreateArenaCfgV2(keys, values, config.size(), outCfg),
                    () -> "CUDA arena configuration " + config);
            cfg = outCfg.get(OrtArenaCfg.class, 0);
            OnnxRuntime.env().CreateAndRegisterAllocatorV2(PROVIDER, info, providerOptions, cfg);
            registered = info;
            LOG.debug(
                    "one CUDA arena of at most {} bytes for the sessions of this engine on cuda:{}",
                    limitBytes,
                    device);
            return true;
        } catch (RuntimeException e) {
            failed = true;
            if (info != null) {
                OnnxRuntime.api().ReleaseMemoryInfo(info);
            }
            LOG.info(
                    "cannot register one CUDA arena for the engine's sessions on cuda:{} ({}); each session keeps its"
                            + " own",
                    device,
                    e.getMessage());
            return false;
        } finally {
            if (cfg != null) {
                OnnxRuntime.api().ReleaseArenaCfg(cfg);
            }
        }
    }

    /** Unregisters the arena (the sessions keep it) and lets the next engine open on this device. */
    @Override
    public void close() {
        if (OPENING.get() != this) {
            return; // closed already
        }
        OPENING.remove();
        try {
            if (registered != null) {
                OnnxRuntime.env().UnregisterAllocator(registered);
                OnnxRuntime.api().ReleaseMemoryInfo(registered);
                registered = null;
            }
        } finally {
            lock.unlock();
        }
    }
}

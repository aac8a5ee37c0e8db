package dev.phi4ee.core.ort;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.onnxruntime.ConstTensorTypeAndShapeInfo;
import org.bytedeco.onnxruntime.LongVector;
import org.bytedeco.onnxruntime.OrtApi;
import org.bytedeco.onnxruntime.OrtCUDAProviderOptionsV2;
import org.bytedeco.onnxruntime.RunOptions;
import org.bytedeco.onnxruntime.Session;
import org.bytedeco.onnxruntime.SessionOptions;
import org.bytedeco.onnxruntime.StringVector;
import org.bytedeco.onnxruntime.TypeInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONNX Runtime session over one {@code .onnx} file, with its input/output signature read once at creation.
 * Owns the native session and its options; {@link #close()} releases both.
 */
public final class OrtSession implements AutoCloseable {
    static {
        JavaCppDefaults.apply(); // before any JavaCPP class is initialised
    }

    private static final Logger LOG = LoggerFactory.getLogger(OrtSession.class);
    private static final int ONNX_TYPE_TENSOR = 1;
    private static final CudaAvailability AUTO_CUDA = new CudaAvailability();

    private final Path file;
    private final String executionProvider;
    private final List<TensorInfo> inputs;
    private final List<TensorInfo> outputs;
    private final List<TensorInfo> overridable;
    private SessionOptions options;
    private Session session;
    private RunOptions defaultRun;
    private org.bytedeco.onnxruntime.OrtSession rawSession;
    private volatile boolean terminated;

    private OrtSession(Path file, SessionOptions options, Session session, String executionProvider) {
        this.file = file;
        this.options = options;
        this.session = session;
        this.executionProvider = executionProvider;
        this.inputs = readSignature(session, true);
        this.outputs = readSignature(session, false);
        this.overridable = readOverridable(session);
        this.defaultRun = NativeScope.owned(new RunOptions());
        this.rawSession = session.asOrtSession();
    }

    /**
     * Creates a session. CUDA is tried when asked for ({@code cuda}, {@code cuda:N}, or {@code auto} with CUDA
     * compiled in); if it cannot be used the failure is classified ({@link ExecutionProviderFailure}), logged in one
     * line and the session is created for the CPU, unless {@code settings.strict()}. {@code auto} stops trying CUDA
     * in this process only after a host-wide failure (missing library, driver, no device).
     *
     * @throws ExecutionProviderFailure when strict and CUDA cannot be used for a host-wide reason
     * @throws OrtFailure when ONNX Runtime rejects the file (the message is ONNX Runtime's)
     */
    public static OrtSession open(Path file, SessionSettings settings) {
        return open(file, null, settings);
    }

    /**
     * As {@link #open(Path, SessionSettings)}, from {@code model} (a serialized ModelProto, e.g. a small helper graph)
     * when not null; {@code file} names the session and its directory is where the model's external-data locations
     * resolve, as if the bytes had been read from it.
     */
    public static OrtSession open(Path file, byte[] model, SessionSettings settings) {
        if (model == null) {
            return open(file, null, null, 0, settings);
        }
        try (BytePointer data = new BytePointer(model)) {
            return open(file, file.toAbsolutePath().getParent(), data, model.length, settings);
        }
    }

    /**
     * As {@link #open(Path, byte[], SessionSettings)} for a model of {@code size} bytes that {@code writer} writes
     * into the buffer it is given (exactly {@code size} bytes from its position), e.g. the text graph with its LoRA
     * rank widened (reference §5.4 c, hundreds of MB for the release). The buffer is native memory outside the Java
     * heap and the direct-buffer limit, freed as soon as ONNX Runtime has parsed it.
     *
     * @throws OrtFailure when the memory cannot be allocated or ONNX Runtime rejects the model
     * @throws IllegalArgumentException when {@code size} is not 1 byte to 2 GiB (protobuf's limit)
     */
    public static OrtSession open(Path file, long size, Consumer<ByteBuffer> writer, SessionSettings settings) {
        return open(file, file.toAbsolutePath().getParent(), size, writer, settings);
    }

    /**
     * As {@link #open(Path, long, Consumer, SessionSettings)}, with the model's external-data locations relative to
     * {@code externalDataFolder} instead of {@code file}'s folder (e.g. the real folder of linked data files).
     */
    public static OrtSession open(
            Path file, Path externalDataFolder, long size, Consumer<ByteBuffer> writer, SessionSettings settings) {
        if (size <= 0 || size > Integer.MAX_VALUE) {
            // protobuf cannot parse more than 2 GiB; large weights belong in external data
            throw new IllegalArgumentException(
                    file.getFileName() + ": an in-memory ONNX model has 1 byte to 2 GiB, not " + size);
        }
        Pointer memory = Pointer.malloc(size);
        if (memory == null || memory.isNull()) {
            throw new OrtFailure("cannot allocate " + size + " bytes of native memory for " + file.getFileName(), null);
        }
        try {
            BytePointer bytes = new BytePointer(memory).capacity(size).limit(size);
            writer.accept(bytes.asByteBuffer());
            return open(file, externalDataFolder, bytes, size, settings);
        } finally {
            Pointer.free(memory);
        }
    }

    private static OrtSession open(Path file, Path folder, Pointer model, long size, SessionSettings settings) {
        OnnxRuntime.initialize();
        int device = settings.cudaDevice();
        boolean auto = settings.executionProvider().equals("auto");
        boolean wantCuda = device >= 0
                && (!auto
                        || (AUTO_CUDA.worthTrying()
                                && OnnxRuntime.compiledProviders().contains("CUDAExecutionProvider")));
        if (wantCuda) {
            try {
                return create(file, folder, model, size, settings, device);
            } catch (RuntimeException e) {
                ExecutionProviderFailure failure = ExecutionProviderFailure.classify(
                        device, file.getFileName().toString(), settings.strict(), withLoaderError(e.getMessage()), e);
                if (settings.strict()) {
                    // an unclassified failure may as well be the graph's: keep it an OrtFailure (a model error)
                    throw failure.reason() == ExecutionProviderFailure.Reason.OTHER
                            ? new OrtFailure(failure.getMessage(), e)
                            : failure;
                }
                if (!auto) {
                    LOG.warn("{}; using the CPU", failure.getMessage());
                } else if (AUTO_CUDA.failed(failure)) {
                    LOG.info("{}; auto uses the CPU from now on", failure.getMessage());
                } else {
                    LOG.info("{}; this session uses the CPU", failure.getMessage());
                }
            }
        }
        return create(file, folder, model, size, settings, -1);
    }

    /**
     * Appends the CUDA provider through the V2 options of the C API (arena strategy, cuDNN search, the model's own
     * options: {@link CudaProviderOptions}); without CPU fallback, nodes CUDA cannot run fail the session.
     */
    private static void appendCuda(SessionOptions so, CudaProviderOptions cuda, int device) {
        OrtApi api = OnnxRuntime.api();
        Map<String, String> options = cuda.forDevice(device);
        try (PointerScope ignored = new PointerScope()) {
            PointerPointer<OrtCUDAProviderOptionsV2> created = new PointerPointer<>(1);
            OnnxRuntime.check(api.CreateCUDAProviderOptions(created), () -> "CreateCUDAProviderOptions");
            OrtCUDAProviderOptionsV2 v2 = created.get(OrtCUDAProviderOptionsV2.class, 0);
            try {
                PointerPointer<BytePointer> keys = new PointerPointer<>(options.size());
                PointerPointer<BytePointer> values = new PointerPointer<>(options.size());
                int i = 0;
                for (Map.Entry<String, String> e : options.entrySet()) {
                    keys.put(i, new BytePointer(e.getKey()));
                    values.put(i++, new BytePointer(e.getValue()));
                }
                OnnxRuntime.check(
                        api.UpdateCUDAProviderOptions(v2, keys, values, options.size()),
                        () -> "CUDA provider options " + options);
                OnnxRuntime.check(
                        api.SessionOptionsAppendExecutionProvider_CUDA_V2(so.asOrtSessionOptions(), v2),
                        () -> "SessionOptionsAppendExecutionProvider_CUDA_V2");
                // after the provider loaded: a host without CUDA registers no arena
                cudaSessionConfig(cuda, CudaArena.join(device)).forEach(so::AddConfigEntry);
            } finally {
                api.ReleaseCUDAProviderOptions().call(v2);
            }
        }
    }

    /**
     * The session configuration entries of a CUDA session: {@code session.disable_cpu_ep_fallback=1} without CPU
     * fallback, {@code session.use_env_allocators=1} when the engine's shared arena is registered ({@link CudaArena}).
     */
    static Map<String, String> cudaSessionConfig(CudaProviderOptions cuda, boolean sharedArena) {
        Map<String, String> entries = new LinkedHashMap<>();
        if (!cuda.cpuFallback()) {
            entries.put("session.disable_cpu_ep_fallback", "1");
        }
        if (sharedArena) {
            entries.put("session.use_env_allocators", "1");
        }
        return entries;
    }

    /** ONNX Runtime's message, with the dynamic loader's error when it only says the provider did not load. */
    private static String withLoaderError(String ort) {
        if (ort == null || !ort.contains("Failed to load shared library")) {
            return ort;
        }
        return CudaProviderProbe.loadError()
                .map(error -> ort + " (dynamic loader: " + error + ")")
                .orElse(ort);
    }

    private static OrtSession create(
            Path file, Path folder, Pointer model, long size, SessionSettings settings, int cudaDevice) {
        // Owned by the session, not by a step's scope (helper graphs are opened on first use, inside a step).
        SessionOptions so = NativeScope.owned(new SessionOptions());
        try {
            so.SetGraphOptimizationLevel(settings.optimization().ortLevel);
            if (settings.intraOpThreads() > 0) {
                so.SetIntraOpNumThreads(settings.intraOpThreads());
            }
            so.SetInterOpNumThreads(1);
            if (cudaDevice >= 0) {
                appendCuda(so, settings.cuda(), cudaDevice);
            }
            Session s;
            if (model != null) {
                try (BytePointer key = new BytePointer("session.model_external_initializers_file_folder_path");
                        BytePointer value = new BytePointer(folder.toString())) {
                    so.AddConfigEntry(key, value);
                    s = NativeScope.owned(new Session(OnnxRuntime.env(), model, size, so));
                }
            } else {
                try (BytePointer path = new BytePointer(file.toAbsolutePath().toString())) {
                    s = NativeScope.owned(new Session(OnnxRuntime.env(), path, so));
                }
            }
            return new OrtSession(file, so, s, cudaDevice >= 0 ? "cuda:" + cudaDevice : "cpu");
        } catch (RuntimeException e) {
            so.close();
            if (e instanceof OrtFailure) {
                throw e;
            }
            throw new OrtFailure(e.getMessage(), e);
        }
    }

    private static List<TensorInfo> readOverridable(Session session) {
        try (PointerScope ignored = new PointerScope()) {
            StringVector names = session.GetOverridableInitializerNames();
            List<TensorInfo> out = new ArrayList<>();
            for (long i = 0; i < names.size(); i++) {
                TypeInfo ti = session.GetOverridableInitializerTypeInfo(i);
                out.add(tensorInfo(names.get(i).getString(), ti));
            }
            return List.copyOf(out);
        }
    }

    private static TensorInfo tensorInfo(String name, TypeInfo ti) {
        if (ti.GetONNXType() != ONNX_TYPE_TENSOR) {
            return new TensorInfo(name, -ti.GetONNXType(), new long[0], List.of());
        }
        ConstTensorTypeAndShapeInfo tsi = ti.GetTensorTypeAndShapeInfo();
        LongVector shapeVector = tsi.GetShape();
        long[] shape = new long[(int) shapeVector.size()];
        for (int d = 0; d < shape.length; d++) {
            shape[d] = shapeVector.get(d);
        }
        List<String> symbolic = new ArrayList<>();
        if (shape.length > 0) {
            PointerPointer<BytePointer> syms = new PointerPointer<>(shape.length);
            tsi.GetSymbolicDimensions(syms, shape.length);
            for (int d = 0; d < shape.length; d++) {
                BytePointer p = syms.get(BytePointer.class, d);
                symbolic.add(p == null || p.isNull() ? "" : p.getString());
            }
        }
        return new TensorInfo(name, tsi.GetElementType(), shape, symbolic);
    }

    private static List<TensorInfo> readSignature(Session session, boolean inputs) {
        try (PointerScope ignored = new PointerScope()) {
            StringVector names = inputs ? session.GetInputNames() : session.GetOutputNames();
            List<TensorInfo> out = new ArrayList<>();
            for (long i = 0; i < names.size(); i++) {
                String name = names.get(i).getString();
                TypeInfo ti = inputs ? session.GetInputTypeInfo(i) : session.GetOutputTypeInfo(i);
                out.add(tensorInfo(name, ti));
            }
            return List.copyOf(out);
        }
    }

    public Path file() {
        return file;
    }

    /** {@code cpu} or {@code cuda:N}: the provider this session was actually created with. */
    public String executionProvider() {
        return executionProvider;
    }

    public List<TensorInfo> inputs() {
        return inputs;
    }

    public List<TensorInfo> outputs() {
        return outputs;
    }

    /** Initializers that are also graph inputs and may be fed per run (the release's LoRA weights, §5.1). */
    public List<TensorInfo> overridableInitializers() {
        return overridable;
    }

    public Optional<TensorInfo> input(String name) {
        return inputs.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public Optional<TensorInfo> output(String name) {
        return outputs.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** A new, empty IoBinding for this session. */
    public Binding newBinding() {
        return new Binding(this, session());
    }

    /**
     * Runs with everything bound in {@code binding}; outputs land in the tensors bound as outputs. LoRA weights are
     * bound like any input: ONNX Runtime ignores RunOptions' active LoRA adapters on the IoBinding path.
     */
    public void run(Binding binding) {
        binding.checkOwner(this);
        RunOptions ro = defaultRun;
        if (terminated) {
            throw new OrtTerminated(file.getFileName() + ": the session was terminated");
        }
        // C API, like Binding: no C++ wrapper adapters between us and the runtime on the hot path.
        try {
            OnnxRuntime.check(
                    OnnxRuntime.api().RunWithBinding(rawSession, ro.asOrtRunOptions(), binding.rawBinding()),
                    () -> file.getFileName().toString());
        } catch (OrtFailure e) {
            throw terminated ? new OrtTerminated(e.getMessage()) : e;
        }
    }

    /**
     * Ends the run in progress on any thread at its next node boundary (ONNX Runtime checks its run options'
     * terminate flag between kernels: {@code SetTerminate}, sequential_executor.cc) and makes every later run fail
     * at once with {@link OrtTerminated}. For shutdown: irreversible, and safe to call from any thread while the
     * session is open. The session's memory is NOT released here; close it once no thread runs it any more.
     */
    public synchronized void terminate() {
        if (session != null && !terminated) {
            terminated = true;
            defaultRun.SetTerminate();
        }
    }

    org.bytedeco.onnxruntime.OrtSession rawSession() {
        session();
        return rawSession;
    }

    Session session() {
        if (session == null) {
            throw new IllegalStateException("session " + file.getFileName() + " is closed");
        }
        return session;
    }

    @Override
    public synchronized void close() {
        if (session != null) {
            defaultRun.close();
            session.close();
            options.close();
            defaultRun = null;
            session = null;
            rawSession = null;
            options = null;
        }
    }

    @Override
    public String toString() {
        return file.getFileName() + " (" + executionProvider + ")";
    }
}

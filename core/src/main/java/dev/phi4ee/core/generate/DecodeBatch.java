package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.EngineClosedException;
import dev.phi4ee.core.api.InferenceException;
import dev.phi4ee.core.api.Phi4Exception;
import dev.phi4ee.core.generate.schedule.RowTasks;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.NativeScope;
import dev.phi4ee.core.ort.OrtFailure;
import dev.phi4ee.core.ort.OrtTerminated;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.ort.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

/**
 * The running requests of a continuous batch, one per slot of a {@link SlotKvPool}, and their decode steps.
 *
 * <p>Layout: the active rows are slots {@code 0 .. active−1}, and rows that may share a decoder call (same
 * {@link GroupKey}: same LoRA adapters, same side of the LongRoPE switch) are contiguous, so every group runs as one
 * {@link BatchDecodeStep} over a contiguous range of the pool. A row that finishes leaves at once: the last row of its
 * group moves into its slot, then one row of each later group shifts down (one slot copy per group, never per step).
 * A new row is prefilled alone (batch 1) in the slot opened at the end of its group, at once or, with chunked prefill,
 * a few decoder runs per step after the decode step of the others (docs/decisions/chunked-prefill.md); a row still
 * prefilling takes no part in its group's decode calls. A row reaching
 * {@code original_max_position_embeddings} changes group: it takes a slot in the long-factor group and re-runs its
 * whole sequence alone there (the §4.4 re-prefill of {@link DecodingSession}), so no data of it needs moving.
 */
final class DecodeBatch implements AutoCloseable {
    /** Rows that may run in one decoder call. Adapters compare by identity (one instance per adapter set). */
    record GroupKey(LoraAdapters.Weights adapters, boolean longRope) {}

    private record Lane(DecodingSession session, SlotKvCache cache) {}

    private final SlotKvPool pool;
    private final PromptLogits promptLogits;
    private final BatchDecodeStep step;
    private final int originalMaxPositions;
    private final GenerationIds ids;
    private final Supplier<TextCodec.TextStream> textStreams;
    private final BatchRow.PromptStage promptStage;
    private final ArrayDeque<Lane> freeLanes = new ArrayDeque<>();
    private final List<Lane> lanes = new ArrayList<>();
    private final BatchRow[] slots;
    private final GroupKey[] keys;
    /** Rows whose prompt stage is not complete, in admission order (chunked prefill). */
    private final Set<BatchRow> unprefilled = new LinkedHashSet<>();

    private final int prefillChunkTokens;
    private final RowTasks tokenChoice;
    /** {@link #chooseAhead}'s slots and their failures, reused every step. */
    private final int[] aheadSlots;

    private final RuntimeException[] aheadFailures;
    private int active;
    private long tokensInFlight;
    private long crossings;
    private long stepsDuringPrefill;
    private long batchedPrompts;
    private long rowsChosenAhead;
    private final Placement placement;
    private final ElementType embedsType;
    private final int hidden;
    private final int vocab;

    DecodeBatch(
            Phi4Graphs graphs,
            int maxBatch,
            int maxLength,
            int originalMaxPositions,
            GenerationIds ids,
            Supplier<TextCodec.TextStream> textStreams,
            BatchRow.PromptStage promptStage,
            int prefillChunkTokens,
            int tokenChoiceThreads,
            ThreadFactory threads) {
        this.prefillChunkTokens = prefillChunkTokens;
        this.placement = graphs.placement();
        this.embedsType = graphs.embedsType();
        this.hidden = graphs.config().decoder().hiddenSize();
        this.vocab = graphs.config().vocabSize();
        this.originalMaxPositions = originalMaxPositions;
        this.ids = ids;
        this.textStreams = textStreams;
        this.promptStage = promptStage;
        this.slots = new BatchRow[maxBatch];
        this.keys = new GroupKey[maxBatch];
        this.aheadSlots = new int[maxBatch];
        this.aheadFailures = new RuntimeException[maxBatch];
        this.pool = new SlotKvPool(graphs.config().decoder(), graphs.kvType(), maxBatch, maxLength, graphs.placement());
        this.promptLogits = new PromptLogits(graphs, DecodingSession.DEFAULT_PREFILL_CHUNK);
        try {
            this.tokenChoice = new RowTasks(tokenChoiceThreads, threads);
            this.step = new BatchDecodeStep(graphs, pool);
            for (int i = 0; i < maxBatch; i++) {
                SlotKvCache cache = pool.slotCache(i);
                Lane lane = new Lane(new DecodingSession(graphs, cache, originalMaxPositions, promptLogits), cache);
                lanes.add(lane);
                freeLanes.add(lane);
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            close();
            throw e;
        }
    }

    int active() {
        return active;
    }

    int capacity() {
        return slots.length;
    }

    /** Sum of prompt + maxNewTokens of the running requests. */
    long tokensInFlight() {
        return tokensInFlight;
    }

    /** Rows that re-ran alone at the LongRoPE switch so far. */
    long crossings() {
        return crossings;
    }

    /** Steps that ran running rows' decode while a prompt was part-way through its decoder runs. */
    long stepsDuringPrefill() {
        return stepsDuringPrefill;
    }

    /** Prompts prefilled as rows of a batched prompt run (several waiting prompts in one decoder call). */
    long batchedPrompts() {
        return batchedPrompts;
    }

    /** Rows whose token was chosen in parallel with others' so far (engine thread's count; for tests). */
    long rowsChosenAhead() {
        return rowsChosenAhead;
    }

    /** Positions the sessions ran through the decoder: prompts and re-runs (batched steps run outside them). */
    long decoderPositions() {
        return lanes.stream().mapToLong(l -> l.session().decoderPositions()).sum();
    }

    /**
     * Takes {@code request} into a free slot. With {@code prefillChunkTokens} 0 it is prefilled alone now and joins
     * the batch unless it finished at once; otherwise its prompt stage runs in the next steps ({@link #step}).
     */
    void admit(EngineRequest request) {
        Lane lane = freeLanes.poll();
        if (lane == null) {
            throw new IllegalStateException("no free slot");
        }
        BatchRow row = new BatchRow(request, lane.session(), lane.cache(), ids, textStreams.get());
        tokensInFlight += row.budget;
        // The group is fixed before the prefill writes the slot: moving into another group later would lose the cache.
        insert(row, new GroupKey(promptStage.adapters(request), request.promptIds.length > originalMaxPositions));
        if (prefillChunkTokens > 0) {
            unprefilled.add(row);
            return;
        }
        boolean running;
        try {
            running = row.prefill(promptStage);
        } catch (RuntimeException e) {
            row.fail(asPhi4(e));
            running = false;
        }
        if (!running) {
            release(row);
        }
    }

    /**
     * One decode step of every decoding row: aborted rows leave first, a row crossing the LongRoPE threshold runs
     * alone, every group runs as one batched call; then up to {@code prefillChunkTokens} prompt positions of the rows
     * still prefilling ({@link #advancePrefills}); finished rows leave at the end.
     */
    void step() {
        for (BatchRow row : snapshot()) {
            if (row.stopIfAborted()) {
                release(row);
            }
        }
        boolean midPrefill = false;
        for (BatchRow row : unprefilled) {
            midPrefill |= row.prefilling();
        }
        boolean decoded = false;
        Set<BatchRow> ranAlone = Collections.newSetFromMap(new IdentityHashMap<>());
        for (BatchRow row : snapshot()) {
            if (row.decoding() && row.session.crossesLongRopeOnNextStep()) {
                regroup(row, new GroupKey(row.adapters(), true));
                ranAlone.add(row);
                crossings++;
                try {
                    row.accept(row.session.next(row.pending()));
                } catch (RuntimeException e) {
                    row.fail(asPhi4(e));
                }
            }
        }
        decoded |= !ranAlone.isEmpty();
        // Contiguous runs of decoding rows with one key that still need this step's decoder call.
        int s = 0;
        while (s < active) {
            if (!slots[s].decoding() || ranAlone.contains(slots[s])) {
                s++;
                continue;
            }
            int e = s + 1;
            while (e < active && keys[e].equals(keys[s]) && slots[e].decoding() && !ranAlone.contains(slots[e])) {
                e++;
            }
            runRows(s, e);
            decoded = true;
            s = e;
        }
        if (decoded && midPrefill) {
            stepsDuringPrefill++;
        }
        advancePrefills();
        for (BatchRow row : snapshot()) {
            if (row.done()) {
                release(row);
            }
        }
    }

    /**
     * Runs the next decoder runs of the rows still prefilling, in admission order, while the step's prompt positions
     * stay within {@code prefillChunkTokens}: a run is never split (its boundaries are {@code PrefillChunks}', so the
     * tokens and the prefix blocks are those of a whole prefill), and the first run of a step always runs, however
     * long. A row begins its prompt stage (encoders, embedding, prefix lookup) only once the rows before it completed
     * theirs, so it finds their stored prefix blocks.
     */
    private void advancePrefills() {
        if (unprefilled.isEmpty()) {
            return;
        }
        int ran = 0;
        for (BatchRow row : List.copyOf(unprefilled)) {
            try {
                if (row.waiting()) {
                    if (ran >= prefillChunkTokens) {
                        return;
                    }
                    row.beginPrefill(promptStage);
                }
                int n = row.request.promptIds.length;
                int room = ran == 0 ? Math.max(prefillChunkTokens, n) : prefillChunkTokens - ran;
                if (row.prefilling() && row.session.singleRunPrefill() && n <= room) {
                    List<BatchRow> batch = promptBatch(row, room);
                    if (batch.size() > 1) {
                        runPromptBatch(batch);
                        ran += batch.size() * n;
                        unprefilled.remove(row);
                        continue; // its other rows now decode (or are done): the loop passes over them
                    }
                }
                int next;
                while ((next = row.nextPrefillRun()) > 0 && (ran == 0 || ran + next <= prefillChunkTokens)) {
                    row.runPrefill();
                    ran += next;
                }
            } catch (RuntimeException e) {
                row.fail(asPhi4(e));
            }
            if (row.prefilling()) {
                return; // the step's budget is spent
            }
            unprefilled.remove(row);
        }
    }

    /**
     * {@code head} (begun, its one run not run yet) and the waiting rows right after it that can share that run: the
     * next slots of its group, prompts of the same length, text only, each one decoder run from an empty cache (a
     * prompt within one run is never reused from nor changes what the prefix cache offers the others), within {@code
     * room} positions and in admission order. Each joining row's prompt stage begins here.
     */
    private List<BatchRow> promptBatch(BatchRow head, int room) {
        int n = head.request.promptIds.length;
        if (!head.session.singleRunPrefill() || 2L * n > room) {
            return List.of(head);
        }
        int first = head.cache.slot();
        List<BatchRow> rows = new ArrayList<>(List.of(head));
        boolean after = false;
        for (BatchRow next : unprefilled) {
            if (next == head) {
                after = true;
                continue;
            }
            if (!after) {
                continue;
            }
            int slot = first + rows.size();
            if (!next.waiting()
                    || next.request.promptIds.length != n
                    || next.cache.slot() != slot
                    || !keys[slot].equals(keys[first])
                    || hasMedia(next.request)
                    || (long) (rows.size() + 1) * n > room) {
                break;
            }
            try {
                next.beginPrefill(promptStage);
            } catch (RuntimeException e) {
                next.fail(asPhi4(e));
                break;
            }
            if (!next.session.singleRunPrefill()) {
                break; // begun: it runs alone after the batch
            }
            rows.add(next);
        }
        return rows;
    }

    private static boolean hasMedia(EngineRequest request) {
        PreparedPrompt p = request.prepared;
        return p != null && (p.vision != null || p.speech != null);
    }

    /** One decoder call over the prompts of {@code rows} (contiguous slots, {@link #promptBatch}). */
    @SuppressWarnings("try") // the native scope is opened for what it frees when it closes
    private void runPromptBatch(List<BatchRow> rows) {
        int count = rows.size();
        int first = rows.get(0).cache.slot();
        int n = rows.get(0).request.promptIds.length;
        try (NativeScope scope = NativeScope.open();
                Tensor embeds = placement.allocate(embedsType, count, n, hidden);
                Tensor logits = promptLogits.take(count, n)) {
            placement.concat(
                    embeds,
                    0,
                    rows.stream().map(r -> r.session.pendingPromptEmbeds()).toList());
            step.runPrompts(keys[first], keys[first].adapters(), first, count, embeds, logits);
            batchedPrompts += count;
            long rowBytes = (long) n * vocab * logits.type().byteSize();
            for (int i = 0; i < count; i++) {
                BatchRow row = rows.get(i);
                try (Tensor rowLogits = logits.region(i * rowBytes, 1, n, vocab)) {
                    row.completeBatchedPrefill(rowLogits);
                } catch (RuntimeException e) {
                    row.fail(asPhi4(e));
                }
            }
        } catch (RuntimeException e) {
            Throwable error = asPhi4(e);
            for (BatchRow row : rows) {
                if (!row.done()) {
                    row.fail(error);
                }
            }
        }
    }

    private void runRows(int first, int end) {
        int count = end - first;
        long[] tokens = new long[count];
        int[] lengths = new int[count];
        for (int i = 0; i < count; i++) {
            BatchRow row = slots[first + i];
            row.session.appendBatched(row.pending());
            tokens[i] = row.pending();
            lengths[i] = row.session.length();
        }
        try {
            step.run(keys[first], keys[first].adapters(), first, count, tokens, lengths);
        } catch (RuntimeException e) {
            Throwable error = asPhi4(e);
            for (int i = 0; i < count; i++) {
                slots[first + i].fail(error);
            }
            return;
        }
        chooseAhead(first, count);
        for (int i = 0; i < count; i++) {
            BatchRow row = slots[first + i];
            if (row.done()) {
                continue; // its choice failed
            }
            try {
                row.accept(step.logits(first + i));
            } catch (RuntimeException e) {
                row.fail(asPhi4(e));
            }
        }
    }

    /**
     * With several token-choice threads, the rows that choose alone (sampling with their own sampler, no constraint)
     * choose their next tokens in parallel; {@code accept} then takes them in row order on this thread, so streaming and every
     * other effect stay in the order of one thread (docs/decisions/parallel-token-choice.md).
     */
    private void chooseAhead(int first, int count) {
        if (tokenChoice.threads() == 1 || count < 2) {
            return;
        }
        int n = 0;
        for (int i = first; i < first + count; i++) {
            if (slots[i].choosesAlone()) {
                aheadSlots[n++] = i;
            }
        }
        if (n < 2) {
            return;
        }
        tokenChoice.run(n, j -> slots[aheadSlots[j]].chooseAhead(step.logits(aheadSlots[j])), aheadFailures);
        rowsChosenAhead += n;
        for (int j = 0; j < n; j++) {
            if (aheadFailures[j] != null) {
                slots[aheadSlots[j]].fail(asPhi4(aheadFailures[j]));
                aheadFailures[j] = null;
            }
        }
    }

    /** Fails and releases every running request (engine closing, or a broken loop). */
    void failAll(Throwable error) {
        for (BatchRow row : snapshot()) {
            row.fail(error);
            release(row);
        }
    }

    private static Throwable asPhi4(RuntimeException e) {
        if (e instanceof OrtTerminated) {
            return new EngineClosedException("engine closed while the request ran");
        }
        if (e instanceof OrtFailure) {
            return new InferenceException("ONNX Runtime failed: " + e.getMessage(), e);
        }
        return e instanceof Phi4Exception ? e : new InferenceException("generation failed: " + e, e);
    }

    private List<BatchRow> snapshot() {
        List<BatchRow> rows = new ArrayList<>(active);
        for (int s = 0; s < active; s++) {
            rows.add(slots[s]);
        }
        return rows;
    }

    private GroupKey keyOf(BatchRow row) {
        return keys[row.cache.slot()];
    }

    /**
     * Takes the row out and puts it at the end of {@code key}'s group. Its cache is NOT carried over: only for a row
     * whose whole sequence is about to be re-run (the LongRoPE crossing).
     */
    private void regroup(BatchRow row, GroupKey key) {
        if (keyOf(row).equals(key)) {
            return;
        }
        remove(row.cache.slot());
        insert(row, key);
    }

    private void release(BatchRow row) {
        unprefilled.remove(row);
        remove(row.cache.slot());
        tokensInFlight -= row.budget;
        row.session.reset();
        freeLanes.add(lanes.stream()
                .filter(l -> l.session() == row.session)
                .findFirst()
                .orElseThrow());
    }

    private void insert(BatchRow row, GroupKey key) {
        int groupEnd = -1;
        for (int s = 0; s < active; s++) {
            if (keys[s].equals(key)) {
                groupEnd = s + 1;
            }
        }
        int hole = active;
        if (groupEnd >= 0) {
            // Shift each later group up by one: its first row moves to the slot after its last.
            List<Integer> starts = new ArrayList<>();
            for (int s = groupEnd; s < active; s++) {
                if (s == groupEnd || !keys[s].equals(keys[s - 1])) {
                    starts.add(s);
                }
            }
            for (int i = starts.size() - 1; i >= 0; i--) {
                move(starts.get(i), hole);
                hole = starts.get(i);
            }
        }
        slots[hole] = row;
        keys[hole] = key;
        row.cache.moveTo(hole);
        active++;
    }

    private void remove(int slot) {
        GroupKey key = keys[slot];
        int end = slot + 1;
        while (end < active && keys[end].equals(key)) {
            end++;
        }
        move(end - 1, slot);
        int hole = end - 1;
        while (hole + 1 < active) {
            int groupEnd = hole + 2;
            while (groupEnd < active && keys[groupEnd].equals(keys[hole + 1])) {
                groupEnd++;
            }
            move(groupEnd - 1, hole);
            hole = groupEnd - 1;
        }
        active--;
        slots[active] = null;
        keys[active] = null;
    }

    /** One compaction move: the row's valid cache prefix goes to {@code to}. */
    private void move(int from, int to) {
        if (from == to) {
            return;
        }
        BatchRow row = slots[from];
        pool.copySlot(from, to, row.session.cachedLength());
        row.cache.moveTo(to);
        slots[to] = row;
        keys[to] = keys[from];
        slots[from] = null;
        keys[from] = null;
    }

    @Override
    public void close() {
        if (tokenChoice != null) {
            tokenChoice.close();
        }
        for (Lane l : lanes) {
            l.session().close();
        }
        if (step != null) {
            step.close();
        }
        promptLogits.close();
        pool.close();
    }
}

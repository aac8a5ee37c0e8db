package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.EngineClosedException;
import dev.phi4ee.core.api.InferenceException;
import dev.phi4ee.core.api.Phi4Exception;
import dev.phi4ee.core.ort.OrtFailure;
import dev.phi4ee.core.ort.OrtTerminated;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The running requests of a continuous batch, one per slot of a {@link SlotKvPool}, and their decode steps.
 *
 * <p>Layout: the active rows are slots {@code 0 .. active−1}, and rows that may share a decoder call (same
 * {@link GroupKey}: same LoRA adapters, same side of the LongRoPE switch) are contiguous, so every group runs as one
 * {@link BatchDecodeStep} over a contiguous range of the pool. A row that finishes leaves at once: the last row of its
 * group moves into its slot, then one row of each later group shifts down (one slot copy per group, never per step).
 * A new row is prefilled alone (batch 1) in the slot opened at the end of its group. A row reaching
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
    private int active;
    private long tokensInFlight;
    private long crossings;

    DecodeBatch(
            Phi4Graphs graphs,
            int maxBatch,
            int maxLength,
            int originalMaxPositions,
            GenerationIds ids,
            Supplier<TextCodec.TextStream> textStreams,
            BatchRow.PromptStage promptStage) {
        this.originalMaxPositions = originalMaxPositions;
        this.ids = ids;
        this.textStreams = textStreams;
        this.promptStage = promptStage;
        this.slots = new BatchRow[maxBatch];
        this.keys = new GroupKey[maxBatch];
        this.pool = new SlotKvPool(graphs.config().decoder(), graphs.kvType(), maxBatch, maxLength, graphs.placement());
        this.promptLogits = new PromptLogits(graphs, DecodingSession.DEFAULT_PREFILL_CHUNK);
        try {
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

    /** Positions the sessions ran through the decoder: prompts and re-runs (batched steps run outside them). */
    long decoderPositions() {
        return lanes.stream().mapToLong(l -> l.session().decoderPositions()).sum();
    }

    /** Prefills {@code request} alone in a free slot; it joins the batch unless it finished at once. */
    void admit(EngineRequest request) {
        Lane lane = freeLanes.poll();
        if (lane == null) {
            throw new IllegalStateException("no free slot");
        }
        BatchRow row = new BatchRow(request, lane.session(), lane.cache(), ids, textStreams.get());
        tokensInFlight += row.budget;
        // The group is fixed before the prefill writes the slot: moving into another group later would lose the cache.
        insert(row, new GroupKey(promptStage.adapters(request), request.promptIds.length > originalMaxPositions));
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
     * One decode step of every running row: aborted rows leave first, a row crossing the LongRoPE threshold runs
     * alone, every group runs as one batched call, finished rows leave at the end.
     */
    void step() {
        for (BatchRow row : snapshot()) {
            if (row.stopIfAborted()) {
                release(row);
            }
        }
        Set<BatchRow> ranAlone = Collections.newSetFromMap(new IdentityHashMap<>());
        for (BatchRow row : snapshot()) {
            if (row.session.crossesLongRopeOnNextStep()) {
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
        // Contiguous runs of rows with one key that still need this step's decoder call.
        int s = 0;
        while (s < active) {
            if (ranAlone.contains(slots[s])) {
                s++;
                continue;
            }
            int e = s + 1;
            while (e < active && keys[e].equals(keys[s]) && !ranAlone.contains(slots[e])) {
                e++;
            }
            runRows(s, e);
            s = e;
        }
        for (BatchRow row : snapshot()) {
            if (row.done()) {
                release(row);
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
        for (int i = 0; i < count; i++) {
            BatchRow row = slots[first + i];
            try {
                row.accept(step.logits(first + i));
            } catch (RuntimeException e) {
                row.fail(asPhi4(e));
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
        pool.copySlot(from, to, row.session.length());
        row.cache.moveTo(to);
        slots[to] = row;
        keys[to] = keys[from];
        slots[from] = null;
        keys[from] = null;
    }

    @Override
    public void close() {
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

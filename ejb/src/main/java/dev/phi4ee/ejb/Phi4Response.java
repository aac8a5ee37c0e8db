package dev.phi4ee.ejb;

import dev.phi4ee.core.api.GenerationResult;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** The outcome of a request, as returned by {@link Phi4Service} and sent as JSON in JMS replies. */
public class Phi4Response implements Serializable {
    private static final long serialVersionUID = 1L;

    private String text;
    private String finishReason;
    private int promptTokens;
    private int imageTokens;
    private int audioTokens;
    private int generatedTokens;
    private long timeToFirstTokenMillis;
    private long totalMillis;
    private List<ToolCallOutput> toolCalls = new ArrayList<>();

    public Phi4Response() {}

    public static Phi4Response of(GenerationResult result) {
        Phi4Response r = new Phi4Response();
        r.text = result.text();
        r.finishReason = result.finishReason().name();
        if (result.usage() != null) {
            r.promptTokens = result.usage().promptTokens();
            r.imageTokens = result.usage().imageTokens();
            r.audioTokens = result.usage().audioTokens();
            r.generatedTokens = result.usage().generatedTokens();
        }
        r.toolCalls = new ArrayList<>(
                result.toolCalls().stream().map(ToolCallOutput::of).toList());
        if (result.timings() != null) {
            r.timeToFirstTokenMillis = millis(result.timings().timeToFirstToken());
            r.totalMillis = millis(result.timings().total());
        }
        return r;
    }

    private static long millis(java.time.Duration d) {
        return d == null ? 0 : d.toMillis();
    }

    public String getText() {
        return text;
    }

    public void setText(String text) {
        this.text = text;
    }

    public String getFinishReason() {
        return finishReason;
    }

    public void setFinishReason(String finishReason) {
        this.finishReason = finishReason;
    }

    public int getPromptTokens() {
        return promptTokens;
    }

    public void setPromptTokens(int promptTokens) {
        this.promptTokens = promptTokens;
    }

    public int getImageTokens() {
        return imageTokens;
    }

    public void setImageTokens(int imageTokens) {
        this.imageTokens = imageTokens;
    }

    public int getAudioTokens() {
        return audioTokens;
    }

    public void setAudioTokens(int audioTokens) {
        this.audioTokens = audioTokens;
    }

    public int getGeneratedTokens() {
        return generatedTokens;
    }

    public void setGeneratedTokens(int generatedTokens) {
        this.generatedTokens = generatedTokens;
    }

    public long getTimeToFirstTokenMillis() {
        return timeToFirstTokenMillis;
    }

    public void setTimeToFirstTokenMillis(long timeToFirstTokenMillis) {
        this.timeToFirstTokenMillis = timeToFirstTokenMillis;
    }

    /** The calls of an answer that called tools (finish reason TOOL_CALLS); empty otherwise. */
    public List<ToolCallOutput> getToolCalls() {
        return toolCalls;
    }

    public void setToolCalls(List<ToolCallOutput> toolCalls) {
        this.toolCalls = toolCalls;
    }

    public long getTotalMillis() {
        return totalMillis;
    }

    public void setTotalMillis(long totalMillis) {
        this.totalMillis = totalMillis;
    }
}

package dev.phi4ee.ejb;

import dev.phi4ee.core.api.ToolCall;
import java.io.Serializable;

/** A call the model made: {@code {"id": "call_0", "name": "lookup_customer", "arguments": "{\"id\":42}"}}. */
public class ToolCallOutput implements Serializable {
    private static final long serialVersionUID = 1L;

    private String id;
    private String name;
    /** The arguments object as compact JSON text (as OpenAI's {@code function.arguments}). */
    private String arguments;

    public ToolCallOutput() {}

    static ToolCallOutput of(ToolCall call) {
        ToolCallOutput c = new ToolCallOutput();
        c.id = call.id();
        c.name = call.name();
        c.arguments = call.arguments();
        return c;
    }

    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getArguments() {
        return arguments;
    }

    public void setArguments(String arguments) {
        this.arguments = arguments;
    }
}

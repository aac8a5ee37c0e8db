package dev.phi4ee.ejb;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.io.Serializable;

/** One image, document or recording of a request; in JSON, {@code data} is base64. */
public class MediaInput implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Largest accepted media item: 64 MiB (a long call recording or a multi-page scan). */
    public static final int MAX_BYTES = 64 * 1024 * 1024;

    @NotNull(message = "media data is required")
    @Size(min = 1, max = MAX_BYTES, message = "media data must be 1 to " + MAX_BYTES + " bytes")
    private byte[] data;

    /** Optional MIME type overriding sniffing (image/png, audio/wav, application/pdf, …). */
    @Size(max = 100)
    private String mimeType;

    @Size(max = 255)
    private String name;

    public MediaInput() {}

    public MediaInput(byte[] data, String mimeType, String name) {
        this.data = data;
        this.mimeType = mimeType;
        this.name = name;
    }

    public byte[] getData() {
        return data;
    }

    public void setData(byte[] data) {
        this.data = data;
    }

    public String getMimeType() {
        return mimeType;
    }

    public void setMimeType(String mimeType) {
        this.mimeType = mimeType;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }
}

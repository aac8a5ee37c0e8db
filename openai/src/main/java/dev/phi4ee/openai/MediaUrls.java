package dev.phi4ee.openai;

import dev.phi4ee.core.api.Media;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns the protocol's media references into bytes: {@code data:} URLs always; {@code http(s)} URLs only when they
 * start with a configured prefix (anything else would let a caller make the server fetch internal addresses).
 */
final class MediaUrls {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(20);

    private final List<String> remotePrefixes;
    private final long maxBytes;
    private volatile HttpClient client;

    MediaUrls(List<String> remotePrefixes, long maxBytes) {
        this.remotePrefixes = remotePrefixes;
        this.maxBytes = maxBytes;
    }

    /** Reads an {@code image_url.url}: a data URL, or an allow-listed remote one. */
    Media image(String url, String param) {
        String lower = url.regionMatches(true, 0, "data:", 0, 5) ? "data:" : url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("data:")) {
            return dataUrl(url, param);
        }
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            return fetch(url, param);
        }
        throw ApiException.invalid(param, "an image URL must be a data: URL (data:image/png;base64,...)");
    }

    /** Reads {@code file.file_data}: a data URL, or (as some clients send it) bare base64. */
    Media fileData(String data, String filename, String param) {
        if (data.regionMatches(true, 0, "data:", 0, 5)) {
            Media m = dataUrl(data, param);
            return new Media(m.data(), m.declaredMimeType(), filename);
        }
        return new Media(base64(data, param), null, filename);
    }

    static Media dataUrl(String url, String param) {
        int comma = url.indexOf(',');
        if (comma < 0) {
            throw ApiException.invalid(param, "malformed data URL: no ',' before the data");
        }
        String header = url.substring(5, comma);
        if (!header.toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw ApiException.invalid(param, "a data URL must be base64-encoded (data:<type>;base64,<data>)");
        }
        String mime = header.substring(0, header.length() - ";base64".length()).trim();
        return new Media(base64(url.substring(comma + 1), param), mime.isEmpty() ? null : mime, null);
    }

    /** Strict base64 (line breaks tolerated): corrupt data is an error here, not a puzzling decoder failure later. */
    static byte[] base64(String text, String param) {
        try {
            return Base64.getDecoder().decode(WHITESPACE.matcher(text).replaceAll(""));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(param, "invalid base64 data: " + e.getMessage());
        }
    }

    private Media fetch(String url, String param) {
        URI uri;
        try {
            uri = URI.create(url).normalize();
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(param, "malformed URL");
        }
        String normalized = uri.toString();
        if (uri.getRawUserInfo() != null || remotePrefixes.stream().noneMatch(normalized::startsWith)) {
            throw ApiException.invalid(
                    param,
                    remotePrefixes.isEmpty()
                            ? "remote image URLs are disabled on this server; send the image as a data: URL"
                            : "this URL is not under an allowed remote media prefix; send the image as a data: URL");
        }
        try {
            HttpResponse<InputStream> response = client().send(
                            HttpRequest.newBuilder(uri)
                                    .timeout(FETCH_TIMEOUT)
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    throw ApiException.invalid(param, "fetching the image URL answered HTTP " + response.statusCode());
                }
                byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                if (data.length > maxBytes) {
                    throw new ApiException(
                            413,
                            "invalid_request_error",
                            "the image at the URL exceeds " + maxBytes + " bytes",
                            param,
                            "media_too_large",
                            null);
                }
                String type = response.headers().firstValue("Content-Type").orElse(null);
                return new Media(data, type, uri.getPath());
            }
        } catch (IOException e) {
            throw ApiException.invalid(
                    param, "cannot fetch the image URL: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.invalid(param, "interrupted while fetching the image URL");
        }
    }

    private HttpClient client() {
        if (client == null) {
            // Redirects are not followed: a redirect could leave the allow-listed prefix.
            client = HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(FETCH_TIMEOUT)
                    .build();
        }
        return client;
    }
}

package dev.phi4ee.openai;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Set;

/**
 * Bearer keys for {@code /v1/*} when keys are configured; health and metrics stay open for probes and scrapers.
 * Keys are kept as SHA-256 digests and compared in constant time; neither a key nor a presented token is logged.
 */
@PreMatching
public final class ApiKeyFilter implements ContainerRequestFilter {
    private final List<byte[]> keyDigests;

    public ApiKeyFilter(Set<String> apiKeys) {
        this.keyDigests = apiKeys.stream().map(ApiKeyFilter::sha256).toList();
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (keyDigests.isEmpty()
                || !request.getUriInfo().getPath().replaceFirst("^/", "").startsWith("v1")) {
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String message;
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            message = "You didn't provide an API key. Provide it in the Authorization header as 'Bearer YOUR_KEY'.";
        } else if (!known(header.substring(7).trim())) {
            message = "Incorrect API key provided.";
        } else {
            return;
        }
        ApiException e = new ApiException(401, "invalid_request_error", message, null, "invalid_api_key", null);
        request.abortWith(Response.status(401)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .entity(Json.write(ErrorMapping.body(e)))
                .build());
    }

    private boolean known(String token) {
        byte[] digest = sha256(token);
        boolean match = false;
        for (byte[] key : keyDigests) {
            match |= MessageDigest.isEqual(key, digest);
        }
        return match;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}

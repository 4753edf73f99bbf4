package io.ferret4j.examples.serve;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The key clients must send as {@code Authorization: Bearer <key>}. Keys are compared as SHA-256 digests with
 * {@link MessageDigest#isEqual}, so the time taken says nothing about the key's length or its characters.
 */
final class ApiKey {
    private static final String BEARER = "Bearer ";
    private final byte[] digest;

    ApiKey(String key) {
        if (key.isBlank()) {
            throw new IllegalArgumentException("the API key must not be blank");
        }
        this.digest = sha256(key);
    }

    /** Whether {@code authorization} (the header's value, or null) carries this key. */
    boolean accepts(String authorization) {
        if (authorization == null || !authorization.startsWith(BEARER)) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(authorization.substring(BEARER.length())));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}

package io.ferret4j.llm;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The SHA-256 digest by which the caches know images and spliced rows, so that equal digests mean equal content. */
final class Sha256 {
    private Sha256() {
    }

    /** The 32-byte digest of {@code bytes}. */
    static byte[] of(byte[] bytes) {
        return newDigest().digest(bytes);
    }

    /** A fresh SHA-256 digest to feed. */
    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks SHA-256, which every Java platform must provide", e);
        }
    }
}

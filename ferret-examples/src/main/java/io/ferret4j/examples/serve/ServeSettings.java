package io.ferret4j.examples.serve;

import java.util.Objects;
import java.util.Optional;

/**
 * Where and for whom a server listens.
 *
 * @param host   the interface to bind; loopback ({@code 127.0.0.1}) unless the server is meant to be reached
 *               from other machines
 * @param port   the port, 0 for any free one
 * @param apiKey the key clients must send as {@code Authorization: Bearer}, if any
 * @param limits what it accepts and how much work it takes on
 */
public record ServeSettings(String host, int port, Optional<String> apiKey, ServeLimits limits) {

    /** Checks the port. */
    public ServeSettings {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        }
    }
}

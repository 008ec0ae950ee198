package dev.pier.bench;

import java.util.Locale;

/**
 * What a peer process serves; its lower-case name ({@code tls-echo} for {@link #TLS_ECHO}) is the first argument
 * every peer takes. The TLS services take the private key and certificate files after the poem file.
 */
enum Service {
    ECHO, POETRY, UDP, TLS_ECHO, TLS_POETRY;

    String argument() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    boolean tls() {
        return this == TLS_ECHO || this == TLS_POETRY;
    }
}

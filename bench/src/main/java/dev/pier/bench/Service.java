package dev.pier.bench;

import java.util.Locale;

/** What a peer process serves; its lower-case name is the first argument every peer takes. */
enum Service {
    ECHO, POETRY, UDP;

    String argument() {
        return name().toLowerCase(Locale.ROOT);
    }
}

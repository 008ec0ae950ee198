package dev.pier.endpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a description takes a secret from: {@code env:VAR} or {@code file:PATH}, never the secret itself, which
 * would show in the process list and in every ready line.
 */
final class Secrets {

    private Secrets() {}

    static void checkSource(String source) {
        if (!source.startsWith("env:") && !source.startsWith("file:")) {
            throw new IllegalArgumentException("password must be env:VAR or file:PATH (a password written in the "
                    + "description would show in the process list)");
        }
    }

    static String read(String source) {
        checkSource(source);
        if (source.startsWith("env:")) {
            String name = source.substring(4);
            String value = System.getenv(name);
            if (value == null) {
                throw new IllegalArgumentException("password=" + source + ": environment variable " + name
                        + " is not set");
            }
            return value;
        }
        Path file = Path.of(source.substring(5));
        try {
            return Files.readString(file).lines().findFirst().orElse("");
        } catch (IOException e) {
            throw new IllegalArgumentException("password=" + source + ": cannot read '" + file + "'");
        }
    }
}

/**
 * picocli, compiled from its published sources for the JDK Pier runs on.
 *
 * <p>The same module as the published jar, under the same name: only its class files differ. The published
 * ones target Java 5, and the JVM's ahead-of-time cache links no class file older than Java 6, so with them
 * building picocli's command model took most of {@code pier}'s start-up time.
 */
module info.picocli {
    requires static java.sql;

    exports picocli;
}

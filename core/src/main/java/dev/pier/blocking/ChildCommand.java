package dev.pier.blocking;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The command line of a forking server's child JVM. */
final class ChildCommand {

    private ChildCommand() {
    }

    /**
     * {@code java <child options> <this JVM's arguments>}, or with {@link Forking#childMain()}:
     * {@code java <child options> <native access flags> -cp <module path:class path> <main> <arguments>}.
     *
     * @throws IllegalStateException when this JVM's command line cannot be read and no child main was given
     */
    static List<String> of(Forking strategy) {
        ProcessHandle.Info self = ProcessHandle.current().info();
        return of(strategy, self.command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                self.arguments().map(List::of).orElse(null));
    }

    /** The command for a JVM started as {@code java ownArguments} ({@code null}: unknown). */
    static List<String> of(Forking strategy, String java, List<String> ownArguments) {
        List<String> command = new ArrayList<>();
        command.add(java);
        if (strategy.childMain() == null) {
            if (ownArguments == null) {
                throw new IllegalStateException("cannot read this JVM's command line to start forked children: name"
                        + " the children's main class with Concurrency.forking().withChildMain(...)");
            }
            command.addAll(quickStartOptions(strategy, ownArguments));
            command.addAll(openForSeveralRequests(strategy, AcceptedConnections.moduleName(), ownArguments));
            command.addAll(ownArguments);
        } else {
            command.addAll(quickStartOptions(strategy, List.of()));
            command.add("--enable-native-access=ALL-UNNAMED");
            command.add("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");
            command.addAll(openForSeveralRequests(strategy, "ALL-UNNAMED", List.of()));
            command.add("-cp");
            command.add(String.join(File.pathSeparator, Stream.of("jdk.module.path", "java.class.path")
                    .map(System::getProperty)
                    .filter(path -> path != null && !path.isEmpty())
                    .toList()));
            command.add(strategy.childMain().getName());
            command.addAll(strategy.childArguments());
        }
        return command;
    }

    /**
     * The strategy's child options, less those the inherited options already decide (the collector; class data
     * sharing, which an ahead-of-time cache such as the launcher's also decides), with the JVM's own messages sent to
     * standard error: a child's standard output carries nothing but what the program prints.
     */
    private static List<String> quickStartOptions(Forking strategy, List<String> inherited) {
        boolean inheritedCollector = inherited.stream().anyMatch(ChildCommand::choosesCollector);
        boolean inheritedSharing = inherited.stream().anyMatch(ChildCommand::choosesSharing);
        List<String> options = new ArrayList<>(List.of(VM_OUTPUT_TO_STDERR));
        strategy.childJvmOptions().stream()
                .filter(option -> !(inheritedCollector && choosesCollector(option)))
                .filter(option -> !(inheritedSharing && choosesSharing(option)))
                .forEach(options::add);
        return options;
    }

    /**
     * What a child serving several requests needs to make each connection a channel (see
     * {@link AcceptedConnections}), unless the inherited options give it already.
     */
    private static List<String> openForSeveralRequests(Forking strategy, String pierModule, List<String> inherited) {
        String opens = "--add-opens=java.base/sun.nio.ch=" + pierModule;
        if (strategy.requestsPerChild() == 1 || inherited.contains(opens)) {
            return List.of();
        }
        return List.of(opens);
    }

    private static final String VM_OUTPUT_TO_STDERR = "-XX:+DisplayVMOutputToStderr";

    private static boolean choosesCollector(String option) {
        return option.startsWith("-XX:+Use") && option.endsWith("GC");
    }

    private static boolean choosesSharing(String option) {
        return option.startsWith("-Xshare:") || option.startsWith("-XX:AOTCache=")
                || option.startsWith("-XX:SharedArchiveFile=") || option.startsWith("-XX:AOTMode=");
    }
}

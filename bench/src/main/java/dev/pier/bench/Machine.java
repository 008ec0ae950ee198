package dev.pier.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the figures were measured on, for the report. */
record Machine(int cores, String cpuModel, String kernel, String jdk, String gcc, String python, String twisted,
               String netty) {

    static Machine describe(Tools tools) {
        return new Machine(
                Runtime.getRuntime().availableProcessors(),
                readCpuModel(),
                read(Path.of("/proc/sys/kernel/osrelease")),
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"),
                output("gcc", "-dumpfullversion"),
                output(tools.python().toString(), "--version").replace("Python ", ""),
                output(tools.python().toString(), "-c", "import twisted; print(twisted.__version__)"),
                nettyVersion());
    }

    private static String readCpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // Not Linux, or no /proc: say so below.
        }
        return "unknown";
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String nettyVersion() {
        var versions = io.netty.util.Version.identify();
        var transport = versions.get("netty-transport");
        return transport == null ? "unknown" : transport.artifactVersion();
    }

    /** The first line a command prints, or "not available". */
    private static String output(String... command) {
        try {
            Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return process.waitFor() == 0 && !text.isEmpty() ? text.lines().findFirst().orElseThrow() : "not available";
        } catch (IOException e) {
            return "not available";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not available";
        }
    }
}

package dev.pier.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Java block of Pier's README is code of these examples, so that what the README shows compiles and is
 * tested. A block may leave out what lies between its paragraphs (the parts separated by blank lines), but each
 * paragraph must appear whole, in order of lines, in one source file; indentation does not count.
 */
class ReadmeSnippetsTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void everyJavaBlockOfTheReadmeIsInAnExample() throws IOException {
        List<List<String>> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
            for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
                sources.add(stripped(Files.readAllLines(file)));
            }
        }
        Matcher block = JAVA_BLOCK.matcher(Files.readString(README));
        int blocks = 0;
        while (block.find()) {
            blocks++;
            List<List<String>> paragraphs = paragraphs(block.group(1));
            boolean found = sources.stream().anyMatch(source -> paragraphs.stream()
                    .allMatch(paragraph -> Collections.indexOfSubList(source, paragraph) >= 0));
            assertTrue(found, "this README block is in no file of examples/src/main/java: copy it from the example"
                    + " it comes from, or change both alike:\n" + block.group(1));
        }
        assertFalse(blocks == 0, "no ```java block found in " + README.toAbsolutePath());
    }

    private static List<List<String>> paragraphs(String block) {
        List<List<String>> paragraphs = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String line : stripped(block.lines().toList())) {
            if (line.isEmpty()) {
                if (!current.isEmpty()) {
                    paragraphs.add(current);
                }
                current = new ArrayList<>();
            } else {
                current.add(line);
            }
        }
        if (!current.isEmpty()) {
            paragraphs.add(current);
        }
        return paragraphs;
    }

    private static List<String> stripped(List<String> lines) {
        return lines.stream().map(String::strip).toList();
    }
}

package dev.pier.app.run;

import dev.pier.app.cli.Messages;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A services file in the style of a Procfile: one service per line, {@code NAME: ARGUMENTS}, where ARGUMENTS are what
 * would follow {@code pier} on a command line, split into words as a shell would (quotes and backslashes, no
 * variables; a {@code #} that starts a word starts a comment); blank lines and lines starting with {@code #} say
 * nothing.
 *
 * <pre>
 * # the tutorial's poetry service
 * poetry: poetry serve --listen tcp:10000 ecstasy.txt
 * transform: poetry transform
 * proxy: poetry proxy --listen tcp:10002 10000
 * </pre>
 */
record ServicesFile(Path path, List<Entry> services) {

    /** One line: the service's name, its arguments, and the line it is on. */
    record Entry(String name, List<String> arguments, int line) {}

    /** A mistake in the file, said as {@code FILE:LINE: what is wrong}. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    private static final Pattern LINE = Pattern.compile("([A-Za-z0-9_-]+):(.*)");

    static ServicesFile read(Path path) throws Invalid {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new Invalid("cannot read the services file '" + path + "': no such file");
        } catch (MalformedInputException e) {
            throw new Invalid("cannot read the services file '" + path + "': it is not UTF-8 text");
        } catch (IOException e) {
            throw new Invalid("cannot read the services file '" + path + "': " + Messages.reason(e));
        }
        return parse(path, lines);
    }

    static ServicesFile parse(Path path, List<String> lines) throws Invalid {
        Map<String, Entry> services = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            int number = i + 1;
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            Matcher line = LINE.matcher(text);
            if (!line.matches()) {
                throw new Invalid(path + ":" + number + ": write a service as NAME: ARGUMENTS (a NAME of letters, "
                        + "digits, - and _), not '" + text + "'");
            }
            String name = line.group(1);
            List<String> arguments = words(path + ":" + number, line.group(2));
            if (arguments.isEmpty()) {
                throw new Invalid(path + ":" + number + ": the service " + name + " has no arguments: give what "
                        + "would follow pier, e.g. " + name + ": poetry serve");
            }
            if (arguments.getFirst().equals("pier") || arguments.getFirst().endsWith("/pier")) {
                throw new Invalid(path + ":" + number + ": give what would follow pier, without pier itself: "
                        + name + ": " + String.join(" ", arguments.subList(1, arguments.size())));
            }
            Entry previous = services.putIfAbsent(name, new Entry(name, arguments, number));
            if (previous != null) {
                throw new Invalid(path + ":" + number + ": a service named " + name + " is on line "
                        + previous.line() + " already: give each its own name");
            }
        }
        if (services.isEmpty()) {
            throw new Invalid(path + " lists no service: write one per line, as NAME: ARGUMENTS "
                    + "(e.g. poetry: poetry serve)");
        }
        return new ServicesFile(path, List.copyOf(services.values()));
    }

    /** The service named {@code name}, or null. */
    Entry find(String name) {
        return services.stream().filter(entry -> entry.name().equals(name)).findFirst().orElse(null);
    }

    /** The names, in the file's order. */
    List<String> names() {
        return services.stream().map(Entry::name).toList();
    }

    /** Splits {@code text} into words as a POSIX shell does, without expansions. */
    static List<String> words(String where, String text) throws Invalid {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (c == '\\' && i + 1 < text.length() && "\"\\$`".indexOf(text.charAt(i + 1)) >= 0) {
                    word.append(text.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 == text.length()) {
                    throw new Invalid(where + ": a line ends with a backslash: a service is one line");
                }
                word.append(text.charAt(++i));
                inWord = true;
            } else if (c == '#' && !inWord) {
                break;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new Invalid(where + ": the quote " + quote + " is not closed");
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}

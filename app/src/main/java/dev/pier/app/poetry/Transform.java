package dev.pier.app.poetry;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/** The transformations the transform server knows, by the name a request gives. */
public enum Transform {

    /** e. e. cummings style: everything in lower case. */
    CUMMINGSIFY("cummingsify", "lower-case the poem", text -> text.toLowerCase(Locale.ROOT)),

    /** The last line first (a final line ending stays at the end). */
    REVERSE_LINES("reverse-lines", "put the lines in reverse order", Transform::reverseLines),

    /** Everything in upper case. */
    SHOUT("shout", "upper-case the poem", text -> text.toUpperCase(Locale.ROOT));

    private static final Pattern LINE_END = Pattern.compile("\n");

    private final String wireName;
    private final String description;
    private final UnaryOperator<String> function;

    Transform(String wireName, String description, UnaryOperator<String> function) {
        this.wireName = wireName;
        this.description = description;
        this.function = function;
    }

    /** The name a request uses: {@code cummingsify.POEM}. */
    public String wireName() {
        return wireName;
    }

    public String description() {
        return description;
    }

    public String apply(String poem) {
        return function.apply(poem);
    }

    /** The transform a request names, if it is one of these. */
    public static Optional<Transform> named(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }

    private static String reverseLines(String text) {
        boolean terminated = text.endsWith("\n");
        List<String> lines = Arrays.asList(LINE_END.split(terminated ? text.substring(0, text.length() - 1) : text, -1));
        Collections.reverse(lines);
        return String.join("\n", lines) + (terminated ? "\n" : "");
    }
}

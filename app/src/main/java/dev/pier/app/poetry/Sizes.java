package dev.pier.app.poetry;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Sizes as typed on a command line ({@code 4096}, {@code 64K}, {@code 64M}, {@code 1G}: binary units), in bytes. */
final class Sizes {

    /** The largest size an option accepts: a poem is held in one array, and arrays stop short of 2 GiB. */
    static final int MAX = 1 << 30;

    private static final Pattern SIZE = Pattern.compile("(\\d{1,10})([KMG]?)", Pattern.CASE_INSENSITIVE);

    private Sizes() {}

    static int bytes(CommandLine command, String option, String text) {
        Matcher size = SIZE.matcher(text.strip());
        if (!size.matches()) {
            throw new ParameterException(command, option + " must be a number of bytes, or of K, M or G (as in 64M), "
                    + "not '" + text + "'");
        }
        int shift = switch (size.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            default -> 0;
        };
        long bytes = Long.parseLong(size.group(1)) << shift;
        if (bytes < 1 || bytes > MAX) {
            throw new ParameterException(command, option + " must be between 1 and 1G, not " + text);
        }
        return (int) bytes;
    }

    /** {@code bytes} for people: {@code 64 MiB}, {@code 1500 bytes}. */
    static String describe(long bytes) {
        String[] units = {"GiB", "MiB", "KiB"};
        for (int i = 0; i < units.length; i++) {
            int shift = 30 - 10 * i;
            if (bytes >= 1L << shift && bytes % (1L << shift) == 0) {
                return (bytes >> shift) + " " + units[i];
            }
        }
        return bytes + " bytes";
    }
}

package dev.pier.app.poetry;

import java.math.BigDecimal;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Seconds as typed on a command line ({@code 0.7}), as a {@link Duration}, and back. */
final class Durations {

    private Durations() {}

    static Duration seconds(CommandLine command, String option, double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0 || seconds > 1e9) {
            throw new ParameterException(command, option + " must be a number of seconds, 0 or more, not " + seconds);
        }
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    /** {@code duration} in seconds as a user would type them: {@code 1.5}, {@code 30}. */
    static String text(Duration duration) {
        return BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros().toPlainString();
    }
}

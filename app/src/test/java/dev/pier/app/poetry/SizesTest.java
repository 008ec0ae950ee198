package dev.pier.app.poetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class SizesTest {

    @Command(name = "test")
    static final class Empty {}

    private static final CommandLine COMMAND = new CommandLine(new Empty());

    @ParameterizedTest
    @CsvSource({"4096, 4096", "64K, 65536", "64M, 67108864", "64m, 67108864", "1G, 1073741824", "1, 1"})
    void sizesAreBytesOrBinaryUnits(String text, int bytes) {
        assertEquals(bytes, Sizes.bytes(COMMAND, "--max-size", text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "-1", "1.5M", "64MB", "2G", "1025M", "99999999999", "M"})
    void anythingElseIsAUsageError(String text) {
        assertThrows(CommandLine.ParameterException.class, () -> Sizes.bytes(COMMAND, "--max-size", text));
    }

    @ParameterizedTest
    @CsvSource({"67108864, 64 MiB", "1073741824, 1 GiB", "65536, 64 KiB", "1500, 1500 bytes", "64, 64 bytes"})
    void sizesAreDescribedInTheLargestWholeUnit(long bytes, String text) {
        assertEquals(text, Sizes.describe(bytes));
    }
}

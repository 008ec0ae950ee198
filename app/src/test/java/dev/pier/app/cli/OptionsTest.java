package dev.pier.app.cli;

import static dev.pier.app.cli.Options.flag;
import static dev.pier.app.cli.Options.option;
import static dev.pier.app.cli.Options.parameters;
import static dev.pier.app.cli.Options.repeatable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

class OptionsTest {

    private String name;
    private String level;
    private boolean verbose;
    private List<String> hosts;
    private List<String> files;

    private final CommandLine command = commandLine();

    private CommandLine commandLine() {
        CommandSpec spec = CommandSpec.create().name("demo");
        spec.addOption(option("--name", "NAME", String.class, value -> name = value).build());
        spec.addOption(option("--level", "LEVEL", String.class, value -> level = value).defaultValue("info").build());
        spec.addOption(flag("--verbose", value -> verbose = value).build());
        spec.addOption(repeatable("--host", "HOST", String.class, value -> hosts = value).build());
        spec.addPositional(parameters("FILE", "1..*", String.class, value -> files = value).build());
        return new CommandLine(spec);
    }

    @Test
    void eachOptionSetsItsFieldAndARepeatedOneKeepsEveryValueInOrder() {
        command.parseArgs("--name", "x", "--verbose", "--host", "a", "--host", "b", "--host=c", "f1", "f2");
        assertEquals("x", name);
        assertEquals("info", level);
        assertEquals(true, verbose);
        assertEquals(List.of("a", "b", "c"), hosts);
        assertEquals(List.of("f1", "f2"), files);
    }

    @Test
    void anOptionNotGivenIsNullFalseOrEmptyAgainAtTheNextParse() {
        command.parseArgs("--name", "x", "--level", "debug", "--verbose", "--host", "a", "f");
        command.parseArgs("f");
        assertNull(name);
        assertEquals("info", level);
        assertEquals(false, verbose);
        assertEquals(List.of(), hosts);
    }

    @Test
    void parametersThatTakeAtLeastOneAreRequired() {
        assertEquals("Missing required parameter: 'FILE'",
                assertThrows(ParameterException.class, () -> command.parseArgs("--verbose")).getMessage());
    }
}

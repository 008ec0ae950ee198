package dev.pier.endpoint;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;

/**
 * Any description either parses to an endpoint whose canonical description parses back to it, or is rejected with
 * the documented error: an {@link IllegalArgumentException} with one line that names the bad part, never a Java
 * class. The input is the description in UTF-8.
 */
@Timeout(10)
class EndpointFuzzTest {

    /** A Java class name such as java.lang.NumberFormatException, as an exception's toString would leak it. */
    private static final Pattern CLASS_NAME = Pattern.compile("\\b(java|javax|jdk|sun|dev\\.pier)(\\.[a-z]\\w*)*\\.[A-Z]\\w*");

    @FuzzTest
    void descriptions(byte[] data) {
        String description = new String(data, UTF_8);
        check(description, Endpoint::parseServer);
        check(description, Endpoint::parseClient);
    }

    private static void check(String description, Function<String, Endpoint> parse) {
        Endpoint endpoint;
        try {
            endpoint = parse.apply(description);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            assertTrue(message.startsWith("bad endpoint '"), "not the parse error: " + message);
            assertTrue(message.chars().noneMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029'),
                    "not one printable line: " + message);
            Matcher name = CLASS_NAME.matcher(message);
            while (name.find()) {
                if (!description.contains(name.group())) {
                    fail("names a Java class: " + message);
                }
            }
            return;
        }
        String canonical = endpoint.describe();
        assertEquals(endpoint, parse.apply(canonical), "the canonical description " + canonical + " parses back");
        assertEquals(canonical, parse.apply(canonical).describe(), "the canonical description is stable");
    }
}

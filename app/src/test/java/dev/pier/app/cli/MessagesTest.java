package dev.pier.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class MessagesTest {

    @Test
    void reasonsAreInPlainWordsWithoutJavaTypes() {
        assertEquals("no such file or directory", Messages.reason(new NoSuchFileException("/x/y")));
        assertEquals("permission denied", Messages.reason(new AccessDeniedException("/x/y")));
        assertEquals("Permission denied", Messages.reason(new FileNotFoundException("/x/y.log (Permission denied)")));
        assertEquals("unknown host", Messages.reason(new UnresolvedAddressException()));
        assertEquals("unknown host 'nohost.invalid'", Messages.reason(new UnknownHostException("nohost.invalid")));
        assertEquals("cannot resolve host nohost.invalid",
                Messages.reason(new UnknownHostException("cannot resolve host nohost.invalid")));
        assertEquals("No space left on device", Messages.reason(new IOException("No space left on device")));
        assertEquals("an internal error with no message (IllegalStateException)",
                Messages.reason(new IllegalStateException()));
    }
}

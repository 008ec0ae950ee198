package dev.pier.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A forking server's warm child prepares descriptor adoption before its request comes. */
@Timeout(10)
class PrepareAdoptionTest {

    @Test
    void preparingLeavesNoDescriptorBehindAndCanBeRepeated() throws IOException {
        long before = UnixDatagramSocketTest.openDescriptors();
        Descriptors.prepareAdoption();
        Descriptors.prepareAdoption();
        assertEquals(before, UnixDatagramSocketTest.openDescriptors());
    }
}

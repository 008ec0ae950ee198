package dev.pier.layer;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;

/** Small layers the tests stack, each showing one thing a layer can do. */
public final class TestLayers {

    private TestLayers() {}

    /** Records every byte passing each way, under its name. */
    public record Tagging(String name, List<String> log) implements Layer {
        @Override
        public void dataReceived(ByteBuffer data, Context context) {
            log.add(name + " in " + US_ASCII.decode(data.duplicate()));
            context.passUp(data);
        }

        @Override
        public void write(ByteBuffer data, Context context) {
            log.add(name + " out " + US_ASCII.decode(data.duplicate()));
            context.passDown(data);
        }
    }

    /** Upper-cases what the peer sends. */
    public static final class Upcase implements Layer {
        @Override
        public void dataReceived(ByteBuffer data, Context context) {
            String text = US_ASCII.decode(data).toString().toUpperCase(Locale.ROOT);
            context.passUp(ByteBuffer.wrap(text.getBytes(US_ASCII)));
        }
    }

    /**
     * Holds the connection until the peer's first line, {@code FROM HOST PORT}, then reports that address as the
     * peer's and passes the connection and the bytes after the line on: a PROXY header in miniature.
     */
    public static final class FromLine implements Layer {
        private final StringBuilder header = new StringBuilder();
        private boolean passed;

        @Override
        public void dataReceived(ByteBuffer data, Context context) {
            if (passed) {
                context.passUp(data);
                return;
            }
            while (data.hasRemaining()) {
                char c = (char) data.get();
                if (c != '\n') {
                    header.append(c);
                    continue;
                }
                String[] words = header.toString().split(" ");
                if (words.length != 3 || !words[0].equals("FROM")) {
                    context.abort(new java.io.IOException("bad first line: " + header));
                    return;
                }
                context.setAddresses(context.localAddress(),
                        InetSocketAddress.createUnresolved(words[1], Integer.parseInt(words[2])));
                passed = true;
                context.passConnectionMade();
                if (data.hasRemaining()) {
                    context.passUp(data);
                }
                return;
            }
        }

        @Override
        public void connectionMade(Context context) {
            // held until the first line
        }
    }
}

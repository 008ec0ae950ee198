package dev.pier.protocols;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Every way of cutting an input into packets that tests need: at one point, at two points, byte by byte. */
final class Splits {

    private Splits() {}

    /** Every split of {@code input} into one, two and three packets, plus one packet per byte. */
    static List<byte[][]> of(byte[] input) {
        List<byte[][]> splits = new ArrayList<>();
        int n = input.length;
        splits.add(new byte[][] {input});
        for (int i = 0; i <= n; i++) {
            splits.add(new byte[][] {Arrays.copyOfRange(input, 0, i), Arrays.copyOfRange(input, i, n)});
            for (int j = i; j <= n; j++) {
                splits.add(new byte[][] {
                    Arrays.copyOfRange(input, 0, i), Arrays.copyOfRange(input, i, j), Arrays.copyOfRange(input, j, n)
                });
            }
        }
        byte[][] bytewise = new byte[n][];
        for (int i = 0; i < n; i++) {
            bytewise[i] = new byte[] {input[i]};
        }
        splits.add(bytewise);
        return splits;
    }

    static String describe(byte[][] packets) {
        StringBuilder text = new StringBuilder();
        for (byte[] packet : packets) {
            text.append(text.isEmpty() ? "" : " | ").append(new String(packet, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        return "packets [" + text + "]";
    }
}

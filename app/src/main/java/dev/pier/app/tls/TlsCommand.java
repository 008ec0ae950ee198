package dev.pier.app.tls;

import static dev.pier.app.cli.Options.option;
import static dev.pier.app.cli.Options.repeatable;

import dev.pier.app.cli.Cli;
import dev.pier.app.cli.CommandFailure;
import dev.pier.app.cli.Messages;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code pier tls}: what it takes to try TLS locally. */
public final class TlsCommand implements Runnable {

    private final CommandSpec spec = Cli.command(this, "tls");

    public TlsCommand() {
        spec.usageMessage().description("TLS helpers.");
        spec.addSubcommand("self-signed", new SelfSigned().spec());
        Cli.addStandardHelpOptions(spec);
    }

    /** This command and its subcommand, as picocli declares them. */
    public CommandSpec spec() {
        return spec;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a tls command is required: self-signed");
    }

    /** {@code pier tls self-signed}: a private key and a certificate signed by itself, for local use. */
    public static final class SelfSigned implements Callable<Integer> {

        private final CommandSpec spec = Cli.command(this, "self-signed");
        private List<String> hosts;
        private Path out;

        public SelfSigned() {
            spec.usageMessage().sortOptions(false).description(
                    "Makes a private key (EC P-256) and a certificate signed with it, valid for 90 days, for trying "
                            + "TLS locally: DIR/key.pem (readable by you alone) and DIR/cert.pem.",
                    "Serve with --listen ssl:10443:privateKey=DIR/key.pem:certKey=DIR/cert.pem; a client trusts "
                            + "it with trustRoots=DIR/cert.pem.")
                    .footer("", "Exit status: 0 when both files are written; 1 if they cannot be (DIR/key.pem exists "
                            + "already, DIR cannot be written); 2 for a bad command line.");
            spec.addOption(repeatable("--host", "NAME", String.class, value -> hosts = value,
                    "a host name or IP address the certificate is for; repeat for several "
                            + "(default: localhost, 127.0.0.1 and ::1)").build());
            spec.addOption(option("--out", "DIR", Path.class, value -> out = value,
                    "where to write key.pem and cert.pem (default: the current directory)").defaultValue(".")
                    .build());
            Cli.addStandardHelpOptions(spec);
        }

        /** This command, as picocli declares it. */
        public CommandSpec spec() {
            return spec;
        }

        @Override
        public Integer call() {
            List<String> names = hosts.isEmpty() ? List.of("localhost", "127.0.0.1", "::1") : hosts;
            Path key = out.resolve("key.pem");
            Path cert = out.resolve("cert.pem");
            for (Path file : List.of(key, cert)) {
                if (Files.exists(file)) {
                    throw new CommandFailure("'" + file + "' exists already: remove it or choose another --out");
                }
            }
            try {
                Files.createDirectories(out);
                KeyStore.PrivateKeyEntry entry = generate(names);
                writePem(key, "PRIVATE KEY", entry.getPrivateKey().getEncoded(), true);
                writePem(cert, "CERTIFICATE", entry.getCertificate().getEncoded(), false);
            } catch (IOException | GeneralSecurityException e) {
                throw new CommandFailure("cannot make a self-signed certificate in '" + out + "': "
                        + Messages.reason(e), e);
            }
            System.out.println("Wrote " + key + " and " + cert + " for " + String.join(", ", names));
            return 0;
        }

        /** keytool makes the pair in a throw-away keystore; the key leaves it as PKCS#8. */
        private KeyStore.PrivateKeyEntry generate(List<String> names) throws IOException, GeneralSecurityException {
            Path keystore = Files.createTempFile(out, ".pier-self-signed", ".p12");
            String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
            try {
                Files.delete(keystore);   // keytool refuses an empty file as a keystore
                String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
                var builder = new ProcessBuilder(keytool, "-genkeypair", "-alias", "pier", "-keyalg", "EC",
                        "-groupname", "secp256r1", "-validity", "90", "-dname", "CN=" + names.getFirst(),
                        "-ext", "SAN=" + subjectAlternativeNames(names), "-keystore", keystore.toString(),
                        "-storetype", "PKCS12", "-storepass:env", "PIER_KEYSTORE_PASSWORD")
                        .redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
                builder.environment().put("PIER_KEYSTORE_PASSWORD", password);   // never on a command line
                Process process = builder.start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    throw new IOException("keytool failed: " + output.lines().findFirst().orElse("no output"));
                }
                KeyStore store = KeyStore.getInstance(keystore.toFile(), password.toCharArray());
                PrivateKey privateKey = (PrivateKey) store.getKey("pier", password.toCharArray());
                Certificate certificate = store.getCertificate("pier");
                return new KeyStore.PrivateKeyEntry(privateKey, new Certificate[] {certificate});
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while keytool ran");
            } finally {
                Files.deleteIfExists(keystore);
            }
        }

        private static String subjectAlternativeNames(List<String> names) {
            List<String> entries = new ArrayList<>();
            for (String name : names) {
                entries.add((isIpLiteral(name) ? "ip:" : "dns:") + name);
            }
            return String.join(",", entries);
        }

        private static boolean isIpLiteral(String name) {
            if (!name.contains(".") && !name.contains(":")
                    || !name.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
                return false;
            }
            try {
                InetAddress.ofLiteral(name);
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }

        private static void writePem(Path file, String type, byte[] der, boolean secret) throws IOException {
            String pem = "-----BEGIN " + type + "-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                    + "\n-----END " + type + "-----\n";
            if (secret) {
                Files.createFile(file,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, pem, StandardOpenOption.TRUNCATE_EXISTING);
            } else {
                try {
                    Files.writeString(file, pem, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    throw new IOException("'" + file + "' appeared while the key was made", e);
                }
            }
        }
    }
}

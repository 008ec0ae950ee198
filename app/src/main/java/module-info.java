/** The pier command line: echo and poetry services built on the library. */
module dev.pier.app {
    requires dev.pier;
    requires info.picocli;
    requires java.logging;
    requires jdk.httpserver;
    requires jdk.unsupported;

    opens dev.pier.app to info.picocli;
    opens dev.pier.app.cli to info.picocli;
    opens dev.pier.app.echo to info.picocli;
    opens dev.pier.app.poetry to info.picocli;
    opens dev.pier.app.run to info.picocli;
    opens dev.pier.app.tls to info.picocli;
}

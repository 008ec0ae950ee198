/** The pier command line: echo and poetry services built on the library. */
module dev.pier.app {
    requires dev.pier;
    requires info.picocli;
    requires java.logging;
    requires jdk.httpserver;
    requires jdk.unsupported;
}

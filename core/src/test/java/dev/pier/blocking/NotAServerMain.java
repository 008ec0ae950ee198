package dev.pier.blocking;

/** A child main that builds no server: a forking server misconfigured with it cannot hand requests over. */
public final class NotAServerMain {

    private NotAServerMain() {
    }

    public static void main(String[] args) {
    }
}

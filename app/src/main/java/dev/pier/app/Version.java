package dev.pier.app;

import picocli.CommandLine.IVersionProvider;

/** The version every pier command reports: the application module's version, set by the build. */
public final class Version implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = Version.class.getModule().getDescriptor() == null ? null
                : Version.class.getModule().getDescriptor().rawVersion().orElse(null);
        return new String[] {"pier " + (version == null ? "(development build)" : version),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
    }
}

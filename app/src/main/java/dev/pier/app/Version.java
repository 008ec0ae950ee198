package dev.pier.app;

import java.lang.module.ModuleDescriptor;
import picocli.CommandLine.IVersionProvider;

/** The version every pier command reports: the application module's version, set by the build. */
public final class Version implements IVersionProvider {

    @Override
    public String[] getVersion() {
        ModuleDescriptor module = Version.class.getModule().getDescriptor();
        String version = module == null ? "(development build)" : module.rawVersion().orElse("(development build)");
        return new String[] {"pier " + version,
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
    }
}

package dev.pier.app.cli;

import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Range;

/**
 * The options and positional parameters of pier's commands, declared in code next to the field each one sets:
 * {@code option("--delay", "SECONDS", Double.class, value -> delay = value, "seconds between chunks")}. picocli
 * parses, converts, checks and describes them as it would annotated fields; declared so, they cost no annotation
 * reading at start-up, which the JVM's ahead-of-time cache cannot spare (each annotation type takes a proxy class
 * generated at run time).
 *
 * <p>Until given, an option is null, false for a flag, or an empty list; a default value goes on the builder
 * ({@code .defaultValue("info")}), where {@code ${DEFAULT-VALUE}} in the description finds it.
 */
public final class Options {

    private Options() {}

    /** An option taking one value, converted to {@code type}. */
    public static <T> OptionSpec.Builder option(String name, String paramLabel, Class<T> type,
            Consumer<? super T> setter, String... description) {
        return bound(OptionSpec.builder(name).paramLabel(paramLabel).type(type).description(description), setter,
                null);
    }

    /** An option without a value: true when given. */
    public static OptionSpec.Builder flag(String name, Consumer<Boolean> setter, String... description) {
        return bound(OptionSpec.builder(name).type(boolean.class).description(description), setter, false);
    }

    /** An option that may be given again and again: its values in the order given. */
    public static <T> OptionSpec.Builder repeatable(String name, String paramLabel, Class<T> type,
            Consumer<List<T>> setter, String... description) {
        return bound(OptionSpec.builder(name).paramLabel(paramLabel).type(List.class).auxiliaryTypes(type)
                .description(description), setter, List.of());
    }

    /** A positional parameter taking one argument, converted to {@code type}; required. */
    public static <T> PositionalParamSpec.Builder parameter(String paramLabel, Class<T> type,
            Consumer<? super T> setter, String... description) {
        return bound(PositionalParamSpec.builder().paramLabel(paramLabel).arity("1").required(true).type(type)
                .description(description), setter, null);
    }

    /**
     * A positional parameter taking as many arguments as {@code arity} says ({@code 0..*}, {@code 1..*}); required if
     * it takes at least one.
     */
    public static <T> PositionalParamSpec.Builder parameters(String paramLabel, String arity, Class<T> type,
            Consumer<List<T>> setter, String... description) {
        return bound(PositionalParamSpec.builder().paramLabel(paramLabel).arity(arity)
                .required(Range.valueOf(arity).min() > 0).type(List.class).auxiliaryTypes(type)
                .description(description), setter, List.of());
    }

    private static OptionSpec.Builder bound(OptionSpec.Builder option, Consumer<?> setter, Object initial) {
        Binding binding = new Binding(setter);
        return option.getter(binding).setter(binding).initialValue(initial);
    }

    private static PositionalParamSpec.Builder bound(PositionalParamSpec.Builder parameter, Consumer<?> setter,
            Object initial) {
        Binding binding = new Binding(setter);
        return parameter.getter(binding).setter(binding).initialValue(initial);
    }

    /**
     * Hands each value picocli sets to the field's setter, and remembers it: picocli adds the second value of a
     * repeated option to the list it reads back.
     */
    private static final class Binding implements IGetter, ISetter {
        private final Consumer<Object> setter;
        private Object value;

        @SuppressWarnings("unchecked")
        Binding(Consumer<?> setter) {
            this.setter = (Consumer<Object>) setter;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) value;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T set(T newValue) {
            T old = (T) value;
            value = newValue;
            setter.accept(newValue);
            return old;
        }
    }
}

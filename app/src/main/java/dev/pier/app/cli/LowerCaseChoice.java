package dev.pier.app.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads an option value naming one constant of an enum, spelled as the constant's {@code toString()}. */
final class LowerCaseChoice<E extends Enum<E>> implements ITypeConverter<E> {

    private final Class<E> type;

    LowerCaseChoice(Class<E> type) {
        this.type = type;
    }

    @Override
    public E convert(String value) {
        for (E constant : type.getEnumConstants()) {
            if (constant.toString().equals(value.toLowerCase(Locale.ROOT))) {
                return constant;
            }
        }
        throw new TypeConversionException("expected one of "
                + Arrays.stream(type.getEnumConstants()).map(E::toString).collect(Collectors.joining(", "))
                + ", not '" + value + "'");
    }
}

package io.cacdb.dax.admin;

/** Why a configuration file ({@link KeyValueFile}) cannot be used; the message names file, line, key and value. */
public final class ConfigFileException extends IllegalArgumentException {

    public ConfigFileException(String message) {
        super(message);
    }
}

"""Campaign configuration: the typed campaign file, paths and environment, administrative divisions."""

"""Tools for running locally: the SMTP sink."""

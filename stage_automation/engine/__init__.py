"""Pure-Python core of the addon, importable and testable without a database."""

"""The mapping's typed error."""


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file, the key path and the fix."""

"""The one exception the build raises for problems a user can act on."""


class BuildError(Exception):
    """A build step failed; the message says what happened and what to do."""

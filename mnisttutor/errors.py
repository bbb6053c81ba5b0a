"""The package's own exceptions: one base class, so callers can catch them all."""


class MnistTutorError(Exception):
    """Base class of every error that mnisttutor raises on purpose."""


class InvalidDataError(MnistTutorError, ValueError):
    """A data file is malformed, truncated, corrupt or holds the wrong content."""


class DataNotFoundError(MnistTutorError, FileNotFoundError):
    """The MNIST files are neither on disk nor downloadable."""

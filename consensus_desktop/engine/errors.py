"""Errors a facilitator can act on. Each message says what is wrong and what to do about it."""

from __future__ import annotations

from consensus_desktop.errors import InputError, ModelFileError


class ModelError(ModelFileError):
    """The model file cannot be used."""


class ModelFileMissing(ModelError):
    pass


class NotAGGUFFile(ModelError):
    pass


class TruncatedModelFile(ModelError):
    pass


class UnsupportedArchitecture(ModelError):
    pass


class ModelLoadFailed(ModelError):
    pass


class ContextBudgetError(InputError):
    """Question and opinions cannot fit the model's context even after shortening."""


class GenerationCancelled(Exception):
    """Raised inside a job when the user asked to stop; the engine stays usable."""

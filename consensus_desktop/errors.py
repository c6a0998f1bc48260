"""The four kinds of failure a user can act on.

Every error the core raises for bad input, an unusable model file, a storage problem or a server
problem is one of these (or a subclass). ``str(error)`` is one sentence that names the file or the
field at fault and, where there is one, what to do. The CLI prints that sentence on one stderr line
and exits with code 2; the GUI shows it in a dialog and stays usable. Anything else that escapes is
a bug.
"""

from __future__ import annotations


class ConsensusError(Exception):
    """A failure the user can act on; the message is one sentence naming the file or field."""


class InputError(ConsensusError, ValueError):
    """A parameter, an input file or a participant's text is not usable as given."""


class ModelFileError(ConsensusError, RuntimeError):
    """A model file (GGUF, reward head, embedder) is missing, unreadable, corrupt or unsupported."""


class StorageError(ConsensusError):
    """A session file, the library database or an export target cannot be read or written."""


class SessionFileError(StorageError):
    """A session file or library database cannot be used; the message says why and what to do."""


class ServerError(ConsensusError, RuntimeError):
    """A server (a model server or a model download host) is unreachable or answered wrongly."""


def describe_os_error(exc: OSError, doing: str) -> str:
    """One sentence for an ``OSError`` met while ``doing`` (e.g. "read", "write"), naming the file."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    target = f" {exc.filename}" if exc.filename else ""
    return f"cannot {doing}{target}: {reason[:1].lower()}{reason[1:]}."

"""The core's errors reach the facilitator as a dialog: a title for the kind of failure and the
error's one sentence, never a traceback; after Enter closes it, the app carries on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from drive import (
    OPINIONS,
    close_error_dialog,
    ctrl_enter,
    key,
    pass_round,
    setup_session,
    type_text,
    wait_until,
)
from fakes import FakeEngine
from PySide6.QtWidgets import QFileDialog

from consensus_desktop import paths
from consensus_desktop.errors import ServerError
from consensus_desktop.gui import dialogs


class FailingOnce(FakeEngine):
    """Fails its first generation with ``error``, then writes statements as usual."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error: Exception | None = error

    def generate_candidates(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        yield from super().generate_candidates(*args, **kwargs)


def to_generation(win: Any) -> Any:
    setup_session(win)
    pass_round(win, lambda i: key("4"))
    pass_round(win, lambda i: type_text(OPINIONS[i]))
    return win.screens["generation"]


def test_a_server_failure_mid_generation_is_a_dialog_and_a_retry_works(
    make_window: Callable[..., Any],
) -> None:
    sentence = "The model server at http://127.0.0.1:9/v1 stopped answering; check it and retry."
    win = make_window(FailingOnce(ServerError(sentence)))
    gen = to_generation(win)
    assert close_error_dialog() == ("Model server problem", sentence)
    assert win.current is gen and gen.start_button.isEnabled()
    assert "Nothing entered was lost" in gen.stage.text()
    ctrl_enter(win)  # the next action works: the statements are written this time
    wait_until(lambda: win.current is win.screens["tradeoffs"])
    win.close()


def test_a_bug_mid_generation_says_where_the_log_is(make_window: Callable[..., Any]) -> None:
    win = make_window(FailingOnce(ZeroDivisionError("division by zero")))
    gen = to_generation(win)
    title, text = close_error_dialog()
    assert title == "Something went wrong"
    assert text.startswith("Something unexpected went wrong (ZeroDivisionError);")
    assert str(paths.log_file()) in text or "--verbose" in text
    assert "Traceback" not in text and "division by zero" not in text
    ctrl_enter(win)
    wait_until(lambda: win.current is win.screens["tradeoffs"])
    assert gen.worker is None
    win.close()


def test_a_model_that_does_not_load_is_a_dialog_and_the_old_one_stays(window: Any) -> None:
    host = window.ctx.engine
    old = host.engine
    missing = "/nonexistent/models/gone.gguf"
    host.load(missing)
    title, text = close_error_dialog()
    assert title == "Model file problem" and missing in text and "\n" not in text
    assert host.engine is old and "still in use" in window.model_status.text()
    setup_session(window)  # the app carries on with the old model (setup_session checks each step)
    assert window.current is window.screens["baseline"]


def test_a_save_into_a_missing_folder_is_a_dialog_then_a_save_works(
    window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from drive import button, click, run_whole_session

    run_whole_session(window)
    save = button(window.screens["results"], "Save report…")
    answers: list[str] = []  # the save dialog's answers, in turn
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (answers.pop(0), ""))
    missing = tmp_path / "missing" / "r.html"
    answers.append(str(missing))
    click(save)
    assert close_error_dialog() == (
        "Could not save",
        f"The folder {missing.parent} does not exist.",
    )
    assert not missing.parent.exists()
    answers.append(str(tmp_path / "r.html"))
    click(save)
    assert not answers and (tmp_path / "r.html").exists()
    assert window.statusBar().currentMessage() == f"Report saved to {tmp_path / 'r.html'}"


def test_importing_a_file_that_is_no_session_is_a_dialog(
    window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from drive import button, click

    bad = tmp_path / "notes.sqlite"
    bad.write_text("shopping list", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    click(button(window.screens["start"], "Import a session file…"))
    title, text = close_error_dialog()
    assert title == "Could not import" and "notes.sqlite" in text
    assert window.ctx.store.sessions() == []
    setup_session(window)  # still usable
    assert window.current is window.screens["baseline"]


def test_an_uncaught_exception_in_a_slot_is_a_dialog(window: Any) -> None:
    """What ``sys.excepthook`` gets in the app (Qt hands it exceptions no slot caught)."""
    hook = dialogs.error_hook(window)
    try:
        raise KeyError("settings")
    except KeyError as exc:
        hook(KeyError, exc, exc.__traceback__)
    title, text = close_error_dialog()
    assert title == "Something went wrong" and "(KeyError)" in text
    setup_session(window)
    assert window.current is window.screens["baseline"]

"""The generation screen lists only what is still in the running: a statement listed as it was
written and then set aside as off the question (judged per round, after it was listed) leaves the
list."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
from drive import key, pass_round, setup_session, show, type_text, use_fake_clock, wait_until
from fakes import STATEMENTS, FakeEngine, FakeReward
from sample_inputs import spread_embeddings

from consensus_desktop.engine.types import Progress

OFF = STATEMENTS[1]  # the fake engine writes it in the first round


class OneOffTopic(FakeReward):
    """Embeddings as FakeReward's, except that OFF shares no direction with anything else."""

    def embed(
        self, texts: Sequence[str], should_stop: Callable[[], bool] = lambda: False
    ) -> Iterator[Progress | np.ndarray]:
        yield Progress(0, 1)
        rows = spread_embeddings(texts)
        for i, text in enumerate(texts):
            if text == OFF:
                rows[i] = np.eye(rows.shape[1])[-1]
        yield rows


def test_a_statement_set_aside_as_off_the_question_leaves_the_list(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from consensus_desktop.gui.engine_host import EngineHost
    from consensus_desktop.gui.main_window import MainWindow
    from consensus_desktop.store.session_store import SessionStore

    host = EngineHost()
    host.use(FakeEngine(), OneOffTopic())
    win = MainWindow(
        store=SessionStore(tmp_path / "lib.sqlite"), engine_host=host, load_model=False
    )
    qtbot.addWidget(win)
    use_fake_clock(win)
    show(qtbot, win)
    gen = win.screens["generation"]
    listed: list[str] = []
    gen.list.model().rowsInserted.connect(
        lambda _parent, first, _last: listed.append(gen.list.item(first).text())
    )
    setup_session(win)
    pass_round(win, lambda i: key(str(2 + i)))  # baseline ratings
    pass_round(win, lambda i: type_text(f"Opinion {i}: limits should fit each road."))
    wait_until(lambda: win.current is win.screens["tradeoffs"])
    shown = [gen.list.item(i).text() for i in range(gen.list.count())]
    assert OFF in listed  # it was on the screen while the round went on
    assert OFF not in shown and shown  # and is not among what the run kept
    kept = {c.text for c in gen.last_result.generated}
    assert set(shown) == kept
    win.close()
    assert not host.runner.worker_thread.isRunning()

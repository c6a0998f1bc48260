"""What every screen receives: the store, the current session flow, the model host, the projector."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from consensus_desktop.gui.engine_host import EngineHost
from consensus_desktop.session.facilitation import Facilitation
from consensus_desktop.store.session_store import SessionStore

if TYPE_CHECKING:
    from consensus_desktop.gui.projector import ProjectorWindow


@dataclass
class AppContext:
    store: SessionStore
    engine: EngineHost
    projector: ProjectorWindow
    flow: Facilitation | None = None

    @property
    def session(self) -> Facilitation:
        if self.flow is None:
            raise RuntimeError("no session is open")
        return self.flow

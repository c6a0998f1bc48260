"""The main window: one screen per step of the session, the model status always visible."""

from __future__ import annotations

from functools import partial

from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QLabel,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from consensus_desktop import __version__, server_config
from consensus_desktop.engine.server import ServerSpec, privacy_notice
from consensus_desktop.gui import dialogs
from consensus_desktop.gui.adapter_dialog import AdapterDialog
from consensus_desktop.gui.context import AppContext
from consensus_desktop.gui.dialogs import Failure
from consensus_desktop.gui.engine_host import EngineHost
from consensus_desktop.gui.gate import FACILITATOR, PRIVATE_PAGES, InputGate
from consensus_desktop.gui.model_manager import ModelManager
from consensus_desktop.gui.projector import ProjectorWindow
from consensus_desktop.gui.screens.base import Screen
from consensus_desktop.gui.screens.baseline import BaselineScreen
from consensus_desktop.gui.screens.critique import CritiqueScreen
from consensus_desktop.gui.screens.generation import GenerationScreen
from consensus_desktop.gui.screens.intro import IntroScreen
from consensus_desktop.gui.screens.opinions import OpinionsScreen
from consensus_desktop.gui.screens.plenary import PlenaryScreen
from consensus_desktop.gui.screens.rating import RatingScreen
from consensus_desktop.gui.screens.results import ResultsScreen
from consensus_desktop.gui.screens.setup import SetupScreen
from consensus_desktop.gui.screens.start import StartScreen
from consensus_desktop.gui.screens.tradeoffs import TradeoffScreen
from consensus_desktop.gui.server_dialog import ServerDialog
from consensus_desktop.gui.signals import on_press
from consensus_desktop.gui.style import STYLESHEET, apply_zoom, load_zoom, step_zoom
from consensus_desktop.model_advice import DEFAULT_MODEL_NOTE, is_default_model, model_line
from consensus_desktop.session import steps
from consensus_desktop.session.facilitation import Facilitation
from consensus_desktop.store.session_store import SessionStore

# one class a step, each naming its step; the order and the titles are session/steps.py's
SCREENS: dict[str, type[Screen]] = {
    cls.step: cls
    for cls in (
        StartScreen,
        SetupScreen,
        IntroScreen,
        BaselineScreen,
        OpinionsScreen,
        GenerationScreen,
        TradeoffScreen,
        RatingScreen,
        CritiqueScreen,
        ResultsScreen,
        PlenaryScreen,
    )
}


class MainWindow(QMainWindow):
    def __init__(
        self,
        model_path: str | None = None,
        store: SessionStore | None = None,
        engine_host: EngineHost | None = None,
        load_model: bool = True,
    ) -> None:
        super().__init__()
        self.setWindowTitle(f"Consensus Desktop {__version__}")
        self.setStyleSheet(STYLESHEET)
        load_zoom()  # before any screen is built: sizes are relative to the remembered zoom
        self.resize(1280, 720)
        host = engine_host or EngineHost(self)
        self.ctx = AppContext(store or SessionStore(), host, ProjectorWindow())
        self.stack = QStackedWidget()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        self.rehearsal_banner = QLabel(
            "Rehearsal: the participants are examples, not people. This session is kept out of "
            "research data."
        )
        self.rehearsal_banner.setObjectName("warning")
        self.rehearsal_banner.setVisible(False)
        column.addWidget(self.rehearsal_banner)
        self.privacy_banner = QLabel("")  # while a model server is in use: where opinions go
        self.privacy_banner.setObjectName("warning")
        self.privacy_banner.setWordWrap(True)
        self.privacy_banner.setVisible(False)
        column.addWidget(self.privacy_banner)
        column.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.screens: dict[str, Screen] = {}
        for step, cls in SCREENS.items():
            screen = cls(self.ctx)
            screen.done.connect(self.go_to)
            screen.message.connect(self._say)
            screen.page_shown.connect(self._page_shown)
            self.screens[step] = screen
            self.stack.addWidget(screen)
        self.screens["start"].open_session.connect(self.open_session)  # type: ignore[attr-defined]
        self.gate = InputGate(self)
        self.step_label = QLabel("")
        self.statusBar().addWidget(self.step_label)
        self.model_status = QLabel("Model: not loaded")
        self.statusBar().addPermanentWidget(self.model_status)
        host.status.connect(self.model_status.setText)
        host.ready.connect(self._model_ready)
        host.load_failed.connect(self._model_failed)
        self._menus()
        if host.is_ready:
            self._model_ready()
        QShortcut(QKeySequence("Ctrl+Return"), self, self.confirm)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.confirm)
        QShortcut(QKeySequence("Return"), self, self._return_pressed)
        QShortcut(QKeySequence("Escape"), self, self._escape)
        apply_zoom(self)
        self.go_to("start")
        self.model_path = model_path
        if load_model:
            saved = server_config.load()
            if model_path is None and saved.active and saved.url:
                host.load(None, server=ServerSpec(saved.url, saved.model, saved.api_key))
            else:
                host.load(model_path)

    # -- navigation ---------------------------------------------------------------------------
    @property
    def current(self) -> Screen:
        return self.stack.currentWidget()  # type: ignore[return-value]

    def go_to(self, step: str) -> None:
        if self.stack.currentWidget() is not None and not self.current.leave():
            return
        if step in ("start", "setup"):
            self.ctx.flow = None if step == "start" else self.ctx.flow
        elif self.ctx.flow is not None and self.ctx.flow.step != step:
            self.ctx.flow.go_to(step)
        screen = self.screens[step]
        for other in self.screens.values():  # only the shown screen sets the window's minimum
            policy = QSizePolicy.Policy.Preferred if other is screen else QSizePolicy.Policy.Ignored
            other.setSizePolicy(policy, policy)
        self.stack.setCurrentWidget(screen)
        self._page_shown(FACILITATOR)  # a pass-the-laptop screen says which page it opens
        flow = self.ctx.flow
        self.rehearsal_banner.setVisible(flow is not None and flow.settings.rehearsal)
        self.step_label.setText(
            f"{flow.name} · {steps.step(step).title}" if flow is not None else ""
        )
        if step == "baseline" and flow is not None:
            self.ctx.projector.show_question(flow.question["text"])
        screen.enter()

    def open_session_file(self, path: str) -> None:
        """A session file given on the command line (a file manager's "Open with"): imported
        into the library from the start page, as File > Import does; a bad file gets its dialog."""
        self.go_to("start")
        self.screens["start"].import_file(path)  # type: ignore[attr-defined]

    def open_session(self, session_id: int) -> None:
        """Resume a session at the step it was on."""
        self.ctx.flow = Facilitation(self.ctx.store, session_id)
        step = self.ctx.flow.step
        self.go_to(step if step in SCREENS and step not in ("start", "setup") else "baseline")

    def new_plenary(self) -> None:
        self.screens["plenary"].new_plenary(self.open_session)  # type: ignore[attr-defined]

    def confirm(self) -> None:
        self.current.confirm()

    def _return_pressed(self) -> None:
        """Plain Enter: presses the focused button, opens the focused list item, or confirms the
        page when its answer is complete (in text boxes it stays a new line)."""
        focus = QApplication.focusWidget()
        if isinstance(focus, QAbstractButton) and focus.isVisible() and focus.isEnabled():
            focus.click()
        elif isinstance(focus, QAbstractItemView) and focus.currentIndex().isValid():
            focus.activated.emit(focus.currentIndex())
        else:
            self.current.return_pressed()

    def _page_shown(self, kind: str) -> None:
        """A participant, hand-over or hand-back page shows nothing of the facilitator's: the
        gate drops input in flight, the facilitator's actions are off, the status bar is clear."""
        self.gate.show_page(kind)
        private = kind in PRIVATE_PAGES
        self.menuBar().setEnabled(not private)  # nor does Alt reach it
        for item in self.facilitator_only:
            item.setEnabled(not private)
        if private:
            self.statusBar().clearMessage()

    def _say(self, text: str) -> None:
        """A screen's passing note, on facilitator pages only."""
        if self.gate.page not in PRIVATE_PAGES:
            self.statusBar().showMessage(text, 15000)

    def _escape(self) -> None:
        screen = self.current
        if isinstance(screen, GenerationScreen):
            screen.cancel()

    # -- menus --------------------------------------------------------------------------------
    def _menus(self) -> None:
        """Every entry but the zoom is the facilitator's: off on participants' pages."""
        session = self.menuBar().addMenu("&Session")
        self.facilitator_only: list[QAction | QMenu] = [session]
        for text, keys, slot in (
            ("&New session", "Ctrl+N", lambda: self.go_to("setup")),
            ("New &plenary from table files…", "Ctrl+Shift+P", self.new_plenary),
            ("&Import session file…", "Ctrl+O", lambda: self.screens["start"].import_file()),  # type: ignore[attr-defined]
            ("&Start page", "Ctrl+Home", lambda: self.go_to("start")),
            ("&Quit", "Ctrl+Q", self.close),
        ):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            on_press(action.triggered, slot)
            session.addAction(action)
            self.facilitator_only.append(action)
        view = self.menuBar().addMenu("&View")
        projector = QAction("&Projector window", self)
        projector.setShortcut(QKeySequence("F5"))
        on_press(projector.triggered, self.ctx.projector.place_on_second_screen)
        view.addAction(projector)
        self.facilitator_only.append(projector)
        for label, zoom_keys, direction in (
            ("Zoom &in", ("Ctrl++", "Ctrl+="), 1),
            ("Zoom &out", ("Ctrl+-",), -1),
            ("&Reset zoom", ("Ctrl+0",), 0),
        ):
            zoom_action = QAction(label, self)
            zoom_action.setShortcuts([QKeySequence(k) for k in zoom_keys])
            on_press(zoom_action.triggered, partial(self.zoom, direction))
            view.addAction(zoom_action)
            self.addAction(zoom_action)  # its keys work while the menu bar is off, too
        models = self.menuBar().addMenu("&Models")
        self.facilitator_only.append(models)
        self.model_menu_note = QAction("In use: no model loaded yet", self)
        self.model_menu_note.setEnabled(False)
        models.addAction(self.model_menu_note)
        manage = QAction("&Manage models…", self)
        on_press(manage.triggered, self.manage_models)
        models.addAction(manage)
        adapters = QAction("&Adapters…", self)
        on_press(adapters.triggered, self.manage_adapters)
        models.addAction(adapters)
        server = QAction("Use a model &server…", self)
        on_press(server.triggered, self.use_model_server)
        models.addAction(server)
        self.facilitator_only += [manage, adapters, server]

    def _model_ready(self) -> None:
        """Say which model is in use, and plainly when it is the small default."""
        info = self.ctx.engine.engine.info
        self.model_status.setText(model_line(info.label, info.location))
        self.privacy_banner.setText(privacy_notice(f"http://{info.host}") if info.host else "")
        self.privacy_banner.setVisible(bool(info.host))
        default = is_default_model(info.file_name)
        self.model_menu_note.setText(f"In use: {self.model_status.text().removeprefix('Model: ')}")
        self.screens["start"].show_model_note(DEFAULT_MODEL_NOTE if default else "")  # type: ignore[attr-defined]

    def _model_failed(self, failure: Failure) -> None:
        """A model that did not load: a dialog says why (the old model, if any, stays in use)."""
        dialogs.show_failure(self, failure)

    def zoom(self, direction: int) -> None:
        """Ctrl+plus / Ctrl+minus / Ctrl+0; remembered for the next start."""
        level = step_zoom(self, direction)
        self.statusBar().showMessage(f"Zoom {round(level * 100)}% (Ctrl+plus, Ctrl+minus)", 4000)

    def manage_models(self) -> None:
        dialog = ModelManager(self.ctx.engine, self)
        dialog.use_model.connect(lambda path, layers: self.ctx.engine.load(path or None, layers))
        dialog.exec()

    def manage_adapters(self) -> None:
        engine = self.ctx.engine.engine
        base = getattr(engine, "model_path", None)  # a local model; None for a server
        in_use = engine.info.label if engine is not None else "no model loaded yet"
        dialog = AdapterDialog(base, in_use, self)
        layers = engine.info.n_gpu_layers if engine is not None else None
        dialog.use_adapter.connect(
            lambda adapter: self.ctx.engine.load(str(base), layers, adapter=adapter)
        )
        dialog.exec()

    def use_model_server(self) -> None:
        dialog = ServerDialog(self)
        dialog.use_server.connect(lambda spec: self.ctx.engine.load(None, server=spec))
        dialog.use_local.connect(lambda: self.ctx.engine.load(self.model_path))
        dialog.exec()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.current.leave()  # cancels a running generation; everything confirmed is saved
        self.ctx.engine.shutdown()
        self.ctx.projector.close()
        self.ctx.store.close()
        event.accept()

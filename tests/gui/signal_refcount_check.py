"""Run by test_qt_binding.py in a child process: emit many signals from a worker thread and print
how the reference counts of True, False and None moved (a binding bug aborts the process)."""

from __future__ import annotations

import json
import os
import sys

from PySide6.QtCore import QCoreApplication, QMetaObject, QObject, Qt, QThread, Signal, Slot


class Emitter(QObject):
    with_object = Signal(object)
    plain = Signal()

    @Slot()
    def run(self) -> None:
        for i in range(20_000):
            self.with_object.emit(None if i % 2 else {"i": i})
            self.plain.emit()


def main() -> None:
    app = QCoreApplication([])
    thread = QThread()
    thread.start()
    emitter = Emitter()
    emitter.moveToThread(thread)
    received: list[object] = []
    emitter.with_object.connect(received.append)
    before = [sys.getrefcount(x) for x in (True, False, None)]
    QMetaObject.invokeMethod(emitter, "run", Qt.ConnectionType.QueuedConnection)
    while len(received) < 20_000:
        app.processEvents()
    received.clear()
    after = [sys.getrefcount(x) for x in (True, False, None)]
    thread.quit()
    thread.wait()
    print(json.dumps({"true": after[0] - before[0], "false": after[1] - before[1]}), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()

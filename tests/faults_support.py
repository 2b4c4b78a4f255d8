"""Run ``hpgui`` with a journal writer that hits a full disk after N appends (for tests/test_faults.py).

    python tests/faults_support.py N run setup.json --study s ...

The N+1st append writes half of its bytes, as a write cut short by a full disk does, and raises
``OSError(ENOSPC)``; so does every append after it. Used where a tiny tmpfs cannot be mounted.
"""

from __future__ import annotations

import errno
import json
import os
import sys


def install(after: int) -> None:
    from optuna.storages.journal import _file

    calls = {"n": 0}

    def append_logs(self, logs):
        calls["n"] += 1
        if calls["n"] <= after:
            return original(self, logs)
        text = "\n".join(json.dumps(log, separators=(",", ":")) for log in logs) + "\n"
        with open(self._file_path, "ab") as fh:
            fh.write(text.encode()[: max(1, len(text) // 2)])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self._file_path)

    original = _file.JournalFileBackend.append_logs
    _file.JournalFileBackend.append_logs = append_logs


if __name__ == "__main__":
    install(int(sys.argv[1]))
    from hpgui.cli import main

    sys.exit(main(sys.argv[2:]))

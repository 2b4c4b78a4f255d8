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
    from hpgui.core import journal_repair

    calls = {"n": 0}
    make = journal_repair.file_backend

    def file_backend(path):
        backend = make(path)
        append = backend.append_logs

        def append_logs(logs):
            calls["n"] += 1
            if calls["n"] <= after:
                return append(logs)
            if calls["n"] == after + 1:  # the write the disk cut short; later ones find no room at all
                text = "\n".join(json.dumps(log, separators=(",", ":")) for log in logs) + "\n"
                with open(backend._file_path, "ab") as fh:
                    fh.write(text.encode()[: max(1, len(text) // 2)])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), backend._file_path)

        backend.append_logs = append_logs
        return backend

    journal_repair.file_backend = file_backend


if __name__ == "__main__":
    install(int(sys.argv[1]))
    from hpgui.cli import main

    sys.exit(main(sys.argv[2:]))

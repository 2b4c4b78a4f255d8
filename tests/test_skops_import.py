"""skops.io imported without PyTorch trusts exactly the types a plain import trusts."""

from __future__ import annotations

import json
import subprocess
import sys

PLAIN = "import skops.io._trusted_types as t"
OURS = "from hpgui.core.export import skops_io; skops_io(); import skops.io._trusted_types as t"
REPORT = ("; import json, sys; print(json.dumps({'names': sorted(t.SKLEARN_ESTIMATOR_TYPE_NAMES + "
          "t.SKLEARN_INTERNAL_TYPE_NAMES), 'torch': 'torch' in sys.modules, "
          "'shim': 'sklearn.externals.array_api_compat.torch' in sys.modules}))")


def _run(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code + REPORT], capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_trusted_types_are_those_of_a_plain_import_and_pytorch_stays_out():
    ours, plain = _run(OURS), _run(PLAIN)
    assert ours["names"] == plain["names"] and len(ours["names"]) > 100
    assert not ours["torch"] and not ours["shim"]

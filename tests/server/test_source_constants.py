"""Generated cases do not draw the literals of the loaded local modules (server.generated.without_source_constants).

Hypothesis draws some strings from the source of every loaded "local" module.  The harness turns that off
for its runs (see the function's docstring for the two ways it went wrong).  This test loads a local module
whose one literal fits a strategy exactly, then shows that Hypothesis draws it without the switch and never
with it: the switch reaches a private hook, so a Hypothesis release that moves the hook fails here.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from connect_contract.server.generated import without_source_constants

MARKER = "zqzq-marker-77"  # (this file's own literals do not count: Hypothesis skips test files)


def drawn(count: int) -> list[str]:
    seen: list[str] = []

    @settings(max_examples=count, database=None, phases=[Phase.generate], deadline=None)
    @given(st.text(alphabet="zq-mark7e", min_size=len(MARKER), max_size=len(MARKER)))
    def draw(text: str) -> None:
        seen.append(text)

    draw()
    return seen


def test_the_literals_of_local_modules_are_not_drawn_during_a_run(tmp_path: Path) -> None:
    folder = tmp_path / "localcode"
    folder.mkdir()
    (folder / "cc_local_literals.py").write_text(f"VALUE = {MARKER!r}\n")
    sys.path.insert(0, str(folder))
    try:
        importlib.import_module("cc_local_literals")
        assert MARKER in drawn(400), "Hypothesis no longer draws local literals: the switch can go"
        with without_source_constants():
            assert MARKER not in drawn(400)
        assert MARKER in drawn(400)  # the switch is undone after the run
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("cc_local_literals", None)

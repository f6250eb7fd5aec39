"""Progress bars: tqdm's (``tqdm.auto``, so notebooks get a widget) when tqdm is installed, a
plain line on stderr otherwise."""

from __future__ import annotations

import sys
from typing import Any, Optional, Union

ProgressArg = Union[None, bool, Any]


def _interactive() -> bool:
    if "ipykernel" in sys.modules:
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class Bar:
    """A bar with ``update(n)``, ``set(n, postfix)`` and ``close()``; does nothing when off."""

    def __init__(self, progress: ProgressArg, total: Optional[float], desc: str, unit: str) -> None:
        self._bar: Any = None
        self._plain = False
        self._desc, self._unit, self.total, self.n = desc, unit, total, 0.0
        on = _interactive() if progress is None else bool(progress)
        if not on:
            return
        if progress is not None and progress is not True and hasattr(progress, "update"):
            self._bar = progress  # a tqdm-like object of the caller's
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:
            self._plain = True
            return
        self._bar = tqdm(total=total, desc=desc, unit=unit, unit_scale=unit == "B", leave=True)

    def update(self, n: float) -> None:
        self.set(self.n + n)

    def set(self, n: float, postfix: Optional[str] = None) -> None:
        delta, self.n = n - self.n, n
        if self._bar is not None:
            if delta:
                self._bar.update(delta)
            if postfix is not None and hasattr(self._bar, "set_postfix_str"):
                self._bar.set_postfix_str(postfix, refresh=False)
        elif self._plain:
            total = f"/{self.total:.0f}" if self.total else ""
            extra = f" {postfix}" if postfix else ""
            print(f"\r{self._desc}: {self.n:.0f}{total} {self._unit}{extra}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self._plain:
            print(file=sys.stderr, flush=True)

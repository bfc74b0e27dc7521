"""factbase: an event-sourced, bitemporal fact database for the history of organisations.

Every fact is an immutable, sourced event in an append-only log; the state of an organisation
at any date is derived by replaying it. Start with :class:`FactBase`::

    from factbase import FactBase
    with FactBase.open("sqlite:///factbase.db") as fb:
        fb.load(["seeds/xai.yaml"])
        state = fb.org("xai", as_of="2026-03-01")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["FactBase", "FactbaseError", "PartialDate", "parse_date", "__version__"]

if TYPE_CHECKING:
    from factbase.api import FactBase
    from factbase.core.dates import PartialDate, parse_date
    from factbase.core.errors import FactbaseError


def __getattr__(name: str) -> Any:
    # Lazy re-exports keep `import factbase` (and so `factbase --help`) cheap.
    if name == "FactBase":
        from factbase.api import FactBase

        return FactBase
    if name in ("PartialDate", "parse_date"):
        from factbase.core import dates

        return getattr(dates, name)
    if name == "FactbaseError":
        from factbase.core.errors import FactbaseError

        return FactbaseError
    raise AttributeError(f"module 'factbase' has no attribute {name!r}")

"""Records of a timeline file's sections as event records: a source or an entity (in the
``sources``/``entities`` sections, or typed ``source``/``entity``) becomes its registration.
The loader (:mod:`factbase.io.loader`) and the CSV reader (:mod:`factbase.io.csv_input`) both
read records through :func:`normalise`."""

from __future__ import annotations

from typing import Any


def _to_source(data: Any) -> Any:
    if not isinstance(data, dict):
        return data
    out = {k: v for k, v in data.items() if k not in ("id", "type")}
    return {"type": "source.registered", "source": data.get("id"), **out}


def _to_entity(data: Any) -> Any:
    if not isinstance(data, dict):
        return data
    out = {k: v for k, v in data.items() if k not in ("id", "type")}
    return {"type": "entity.registered", "entity": data.get("id"), **out}


def normalise(section: str, data: Any) -> Any:
    """A record of ``section`` as an event record (sources and entities become registrations)."""
    if section == "sources":
        return _to_source(data)
    if section == "entities":
        return _to_entity(data)
    if isinstance(data, dict) and data.get("type") == "source":
        return _to_source(data)
    if isinstance(data, dict) and data.get("type") == "entity":
        return _to_entity(data)
    return data

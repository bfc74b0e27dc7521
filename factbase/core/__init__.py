"""The core: the rules of factbase as pure functions over events.

Dates, names and their folding, the vocabulary (:mod:`~factbase.core.events`, its field models
in :mod:`~factbase.core.fields`), the effective view (:mod:`~factbase.core.amend`), replay,
spans (:mod:`~factbase.core.intervals`), diffs, the JSON-ready documents of a state
(:mod:`~factbase.core.documents`), output escaping (:mod:`~factbase.core.escape`) and the
errors. No SQLAlchemy, no Click, no database: everything here imports only the core.
"""

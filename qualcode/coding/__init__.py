"""Coding: everything a coder's decisions go through.

Owns the coder logs (``events``: append under a lock with fsync, read tolerantly, fold; ``locking``:
the portable file lock), keeping the index's copy of the logs current (``logs``), re-anchoring codings
after a transcript edit (``anchoring``), the one read model of what each coder decided and which
units count as decided (``state``), the use cases (``service``: apply, unapply, memo, seen, listings,
spreadsheets; ``adjudication``: consensus and disagreements) and coding spreadsheets (``sheets``).
"""

from qualcode._lazy import lazy_exports

__all__ = [
    "AdjudicationService",
    "CoderState",
    "Coders",
    "CodingService",
    "Event",
    "append_events",
    "fold",
    "new_event",
    "read_events",
    "validate_coder",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "AdjudicationService": "adjudication",
        "CoderState": "state",
        "Coders": "state",
        "CodingService": "service",
        "Event": "events",
        "append_events": "events",
        "fold": "events",
        "new_event": "events",
        "read_events": "events",
        "validate_coder": "events",
    },
)

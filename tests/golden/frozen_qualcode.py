"""Run the qualcode CLI with a frozen clock and seeded event ids, for the golden snapshot.

    python tests/golden/frozen_qualcode.py STEP ARGS...

Coding events carry ``at`` (now) and ``id`` (uuid4); everything else qualcode writes is already
deterministic. STEP (a whole number) makes each command's clock and ids distinct but repeatable.
"""

from __future__ import annotations

import datetime as _dt
import random
import sys
import uuid
from pathlib import Path


def freeze(step: int) -> None:
    fixed = _dt.datetime(2026, 12, 1, 9, 0, 0, tzinfo=_dt.UTC) + _dt.timedelta(minutes=step)

    class FrozenDatetime(_dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return fixed if tz is not None else fixed.replace(tzinfo=None)

        @classmethod
        def utcnow(cls):
            return fixed.replace(tzinfo=None)

    import importlib

    for name in ("qualcode.coding.events",):  # where coding events take their time
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        module.datetime = FrozenDatetime  # type: ignore[attr-defined]
        break
    else:
        raise SystemExit("frozen_qualcode: no module of coding events to freeze")
    rng = random.Random(step)
    uuid.uuid4 = lambda: uuid.UUID(int=rng.getrandbits(128), version=4)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout this snapshot belongs to
    freeze(int(sys.argv[1]))
    sys.argv = ["qualcode", *sys.argv[2:]]
    from qualcode.cli import main

    main()

"""The ground truth and the simulated coders of the synthetic study: every participant turn mapped
to its segment with qualcode's own reader, then each coder's log written as the ground truth with
per-code misses, swaps to confusable codes, parent codes and false alarms."""

from __future__ import annotations

import csv
import io
import json
import random
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.models import Segment

if TYPE_CHECKING:
    from qualcode.coding.events import Event
    from qualcode.demo.bank import Bank
    from qualcode.demo.generator import Person

TurnTruth = tuple[tuple[str, ...], str, str]  # a participant turn as written: (codes, source, topic)
Unit = tuple[Segment, tuple[str, ...], str, str, int]  # (segment, codes, source, topic, turn number)
# (miss multiplier, false-alarm multiplier): a careful coder, a generous one, one in between
CODER_HABITS = {"coder_a": (1.0, 0.8), "coder_b": (0.85, 1.25), "coder_c": (1.15, 1.0)}


# ground truth and simulated coders -----------------------------------------------------------------
def write_codings(
    root: Path,
    roster: list[Person],
    truth: dict[str, list[TurnTruth]],
    bank: Bank,
    coders: list[str],
    seed: int,
    error_rate: float,
    gold: bool,
) -> int:
    """Map every participant turn to its segment with qualcode's own reader, then write the truth
    and each coder's log."""
    from qualcode.project import Project

    project = Project.open(root)
    try:
        units: list[Unit] = []
        for person in roster:
            segments = project.segments(person.doc, speaker="participant")
            turns = truth[person.doc]
            if len(segments) != len(turns):
                raise RuntimeError(f"{person.doc}: {len(segments)} participant segments for {len(turns)} written turns")
            units.extend((seg, *turn, n) for n, (seg, turn) in enumerate(zip(segments, turns), start=1))
    finally:
        project.close()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["doc", "segment", "turn", "topic", "source", "codes"])
    for seg, codes, source, topic, n in units:
        writer.writerow([seg.doc, seg.id, n, topic, source, ";".join(codes)])
    (root / "ground_truth.csv").write_text(out.getvalue(), encoding="utf-8")
    for name in coders:
        _write_log(root, name, simulate_coder(name, units, bank, random.Random(f"{seed}/coder/{name}"), error_rate))
    if gold:
        _write_log(root, "gold", simulate_coder("gold", units, bank, random.Random(f"{seed}/coder/gold"), 0.0))
    return len(units)


def simulate_coder(name: str, units: list[Unit], bank: Bank, rng: random.Random, error_rate: float) -> list[Event]:
    """A coder's events: the ground truth with misses, swaps to confusable codes, parent codes
    instead of sub-codes, and false alarms, each more likely for harder codes; ``seen`` for a
    segment left uncoded. Documents are coded one after another in the coder's own order."""
    from qualcode.coding.events import Event, Op, text_sha

    miss_habit, alarm_habit = CODER_HABITS.get(name, (1.0, 1.0))
    by_doc: dict[str, list[Unit]] = {}
    for unit in units:
        by_doc.setdefault(unit[0].doc, []).append(unit)
    order = sorted(by_doc)
    rng.shuffle(order)
    clock = datetime(2026, 6, 1, 9, 0, 0)
    events: list[Event] = []

    def event(op: Op, seg: Segment, code: str | None) -> None:
        nonlocal clock
        clock += timedelta(seconds=rng.randint(4, 40))
        events.append(
            Event(
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                clock.strftime("%Y-%m-%dT%H:%M:%SZ"),
                name,
                op,
                seg.doc,
                seg.start,
                seg.end,
                text_sha(seg.text),
                code,
                "manual",
                None,
                seg.text if op == "add" else None,
            )
        )

    for doc in order:
        clock += timedelta(minutes=rng.randint(10, 45))
        if clock.hour >= 17:
            clock = (clock + timedelta(days=1)).replace(hour=9, minute=rng.randint(0, 30))
        for seg, codes, _source, topic, _n in by_doc[doc]:
            applied = _decide(codes, topic, bank, rng, error_rate, miss_habit, alarm_habit)
            for code in applied:
                event("add", seg, code)
            if applied and rng.random() < 0.02 * error_rate / 0.1:  # second thoughts: applied, then removed
                wrong = rng.choice(_confusable(codes, bank) or [applied[0]])
                if wrong not in applied:
                    event("add", seg, wrong)
                    event("remove", seg, wrong)
            if not applied:
                event("seen", seg, None)
    return events


def _decide(
    codes: tuple[str, ...], topic: str, bank: Bank, rng: random.Random, e: float, miss_habit: float, alarm_habit: float
) -> list[str]:
    applied: list[str] = []
    for code in codes:
        info = bank.codes.get(code)
        p_miss = min(0.9, 1.6 * e * (info.difficulty if info else 1.0) * miss_habit)
        r = rng.random()
        if r < p_miss * 0.55:
            continue  # missed
        if r < p_miss:
            options = [c for c in (info.confuse if info else ()) if c not in codes]
            if options:
                applied.append(rng.choice(options))  # confused with a neighbouring code
            continue
        if r < p_miss + 0.15 * e:
            applied.append(code.rsplit(".", 1)[0])  # the theme instead of the sub-code
            continue
        applied.append(code)
    topic_codes = next((t.codes for t in bank.topics if t.id == topic), ())
    pool = [c for c in (*_confusable(codes, bank), *topic_codes) if c not in codes and c not in applied]
    alarm = e * alarm_habit * (0.35 if codes else 0.15)
    if pool and rng.random() < alarm:
        applied.append(rng.choice(pool))
    return sorted(dict.fromkeys(applied))


def _confusable(codes: tuple[str, ...], bank: Bank) -> list[str]:
    return [c for code in codes for c in (bank.codes[code].confuse if code in bank.codes else ())]


def _write_log(root: Path, coder: str, events: list[Event]) -> None:
    (root / "codings" / f"{coder}.jsonl").write_text("".join(map(event_line, events)), encoding="utf-8")


def event_line(event: Event) -> str:
    """``Event.to_line()`` without ``dataclasses.asdict``'s deep copy (5x faster; same bytes, tested)."""
    data = dict(vars(event))
    if data["text"] is None:
        del data["text"]
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": ")) + "\n"

"""Theme x attribute matrices, co-occurrence and quotes: pure computations over plain tables.

Inputs are lists of dicts the Project builds (coded pairs, segments, participants); outputs are
plain row lists, so the CLI and the exports format them once."""

from __future__ import annotations

from dataclasses import dataclass

COUNTS = ("segments", "participants", "percent", "coverage")


@dataclass(frozen=True)
class Matrix:
    count: str
    by: list[str]
    columns: list[str]  # attribute values (joined with " / " for several attributes), then "Total"
    n: dict[str, int]  # participants per column
    rows: list[dict]  # code, label, one entry per column


def code_members(codebook, codes: list[str]) -> dict[str, set[str]]:
    """Each code with its sub-codes: a parent counts a segment once when any of them is applied."""
    return {code: {code, *codebook.descendants(code)} for code in codes}


def build_matrix(pairs: set[tuple[str, str]], segments: list[dict], people: dict[str, dict], by: list[str],
                 members: dict[str, set[str]], labels: dict[str, str], count: str) -> Matrix:
    """pairs: (segment id, code); segments: participant segments with id, participant, words;
    people: participant id -> attributes (role, task_force, ...)."""
    if count not in COUNTS:
        raise ValueError(count)
    column_of = {pid: " / ".join(str(attrs.get(a, "")) or "(none)" for a in by) for pid, attrs in people.items()}
    seg_column = {s["id"]: column_of.get(s["participant"], "(unattributed)") for s in segments}
    seg_person = {s["id"]: s["participant"] for s in segments}
    words = {s["id"]: s["words"] for s in segments}
    present = {s["participant"] for s in segments}
    columns = sorted({column_of[p] for p in present if p in column_of})
    n = {c: sum(1 for p in present if column_of.get(p) == c) for c in columns}
    n["Total"] = len(present & set(column_of))
    total_words = {c: 0 for c in columns}
    for s in segments:
        if s["id"] in seg_column and seg_column[s["id"]] in total_words:
            total_words[seg_column[s["id"]]] += s["words"]
    total_words["Total"] = sum(total_words.values())
    coded_by_code: dict[str, set[str]] = {}
    for segment, code in pairs:
        if segment in seg_column:
            coded_by_code.setdefault(code, set()).add(segment)
    rows = []
    for code, group in members.items():
        coded = set().union(*(coded_by_code.get(member, set()) for member in group))
        row = {"code": code, "label": labels.get(code, "")}
        for column in [*columns, "Total"]:
            inside = coded if column == "Total" else {s for s in coded if seg_column[s] == column}
            row[column] = _value(count, inside, seg_person, words, n[column], total_words[column])
        rows.append(row)
    return Matrix(count, by, [*columns, "Total"], n, rows)


def _value(count: str, segments: set[str], person: dict[str, str], words: dict[str, int], n: int, total_words: int):
    if count == "segments":
        return len(segments)
    people = len({person[s] for s in segments})
    if count == "participants":
        return people
    if count == "percent":
        return round(100 * people / n, 1) if n else None
    return round(100 * sum(words[s] for s in segments) / total_words, 1) if total_words else None


def long_rows(matrix: Matrix) -> list[dict]:
    """The tidy form: one row per code and column."""
    return [{"code": row["code"], "label": row["label"], "column": column, "n": matrix.n[column],
             "count": matrix.count, "value": row[column]} for row in matrix.rows for column in matrix.columns]


def cooccurrence(pairs: set[tuple[str, str]], owner: dict[str, str], members: dict[str, set[str]]) -> list[dict]:
    """Code x code: units (segments, or participants when ``owner`` maps segments to them) holding
    both codes, and the Jaccard index |A and B| / |A or B|. One row per pair with a shared unit."""
    units: dict[str, set[str]] = {}
    for segment, code in pairs:
        if segment in owner:
            units.setdefault(code, set()).add(owner[segment])
    rolled = {code: set().union(*(units.get(m, set()) for m in group)) for code, group in members.items()}
    codes = list(members)
    rows = []
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            if b in members[a] or a in members[b]:
                continue  # a parent and its own sub-code always co-occur
            both = len(rolled[a] & rolled[b])
            if both:
                union = len(rolled[a] | rolled[b])
                rows.append({"code_a": a, "code_b": b, "both": both, "a": len(rolled[a]), "b": len(rolled[b]),
                             "jaccard": round(both / union, 3)})
    return sorted(rows, key=lambda r: (-r["both"], r["code_a"], r["code_b"]))


def choose_quotes(candidates: list[dict], by: str | None, per: int, min_words: int) -> list[dict]:
    """Exemplar quotes per attribute value: segments most coders agree on first, then longer ones,
    then by segment id, so the choice is deterministic."""
    eligible = [c for c in candidates if c["words"] >= min_words]
    groups: dict[str, list[dict]] = {}
    for quote in eligible:
        groups.setdefault(quote.get(by, "") if by else "", []).append(quote)
    chosen = []
    for value in sorted(groups):
        ranked = sorted(groups[value], key=lambda q: (-q["coders"], -q["words"], q["segment"]))
        chosen += ranked[:per]
    return chosen


def neutralise(value):
    """A spreadsheet cell that starts with = + - @, a tab or CR is a formula to Excel: prefix a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value

"""Agreement use case (``project.agreement``): each coder's decisions per unit and code, read from
the coders' states, then per-code and pooled coefficients, bootstrap intervals and the list of
disagreements. The arithmetic is in the sibling modules; which units count is ``coding.state``'s."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from qualcode.coding.state import opened_by_any
from qualcode.errors import ParameterError, ProjectError

if TYPE_CHECKING:
    import numpy as np

    from qualcode.project import Project

Unit = Literal["segment", "document"]
AGREEMENT_COLUMNS = [
    "code",
    "label",
    "units",
    "prevalence",
    "p_o",
    "kappa",
    "kappa_type",
    "alpha",
    "ac1",
    "bp",
    "alpha_low",
    "alpha_high",
    "interpretation",
    "reason",
]


@dataclass(frozen=True)
class AgreementInput:
    coders: list[str]
    unit: Unit
    units: list[str]
    codes: list[str]  # codes compared (each rolled up with its sub-codes)
    data: np.ndarray  # coders x units x codes, 1 / 0 / NaN (missing)
    leaf_sets: list[list[frozenset[str] | None]] = field(default_factory=list)  # coders x units; None = missing


@dataclass(frozen=True)
class AgreementResult:
    rows: list[dict[str, Any]]
    pooled: list[dict[str, Any]]
    scheme: str
    input: AgreementInput
    skipped: int  # codes no coder applied


class AgreementService:
    def __init__(self, project: Project):
        self.project = project

    def input_for(
        self, coders: list[str], *, unit: Unit = "segment", codes: str | None = None, depth: int | None = None
    ) -> AgreementInput:
        """Each coder's decision per unit and code. A document a coder never opened is missing
        (NaN) for that coder, not "absent"; so is, with segment units, a segment the coder has not
        reached in a document they work through segment by segment (``CoderState.unreached``). A
        parent code counts when it or a sub-code is applied."""
        import numpy as np

        if unit not in ("segment", "document"):
            raise ParameterError(f"{{unit}} must be segment or document, not {unit!r}", "unit")
        project = self.project
        project.coders.require_several(coders)
        codebook = project.codebook()
        chosen = codebook.select(codes, depth=depth)
        if not chosen:
            raise ProjectError(f"no code at depth {depth} or less matches")
        states = [project.coders.state(c) for c in coders]
        opened = opened_by_any(states)
        segments = [s for s in project.segments(speaker="participant") if s.doc in opened]
        seg_index = {s.id: n for n, s in enumerate(segments)}
        all_codes = codebook.ids
        code_index = {c: n for n, c in enumerate(all_codes)}
        rollup = np.zeros((len(all_codes), len(chosen)), dtype=np.int8)
        for k, code in enumerate(chosen):
            for member in (code, *codebook.descendants(code)):
                rollup[code_index[member], k] = 1
        docs = list(dict.fromkeys(s.doc for s in segments))  # in order of first appearance
        doc_number = {doc: n for n, doc in enumerate(docs)}
        doc_of = np.array([doc_number[s.doc] for s in segments], dtype=np.int64)
        units = [s.id for s in segments] if unit == "segment" else docs
        unit_docs = [s.doc for s in segments] if unit == "segment" else docs
        data = np.zeros((len(coders), len(units), len(chosen)))
        leaf_sets = []
        for c, state in enumerate(states):
            applied = np.zeros((len(segments), len(all_codes)), dtype=np.int8)
            for segment, code in state.held:
                if segment in seg_index and code in code_index:
                    applied[seg_index[segment], code_index[code]] = 1
            if unit == "document":
                per_doc = np.zeros((len(docs), len(all_codes)), dtype=np.int8)
                np.maximum.at(per_doc, doc_of, applied)
                applied = per_doc
            data[c] = applied.astype(np.int32) @ rollup > 0
            coder_opened = state.opened
            missing = np.array([d not in coder_opened for d in unit_docs], dtype=bool)
            if unit == "segment":
                missing |= np.array(state.unreached(segments), dtype=bool)
            data[c][missing] = np.nan
            leaf_sets.append(_code_sets(applied, missing, all_codes, np.asarray(rollup.any(axis=1))))
        return AgreementInput(coders, unit, units, chosen, data, leaf_sets)

    def compute(
        self,
        coders: list[str],
        *,
        unit: Unit = "segment",
        codes: str | None = None,
        depth: int | None = None,
        ci: float = 0.95,
        boot: int = 2000,
        seed: int = 0,
    ) -> AgreementResult:
        """Per-code rows (p_o, κ, α, AC1, BP, bootstrap CI for α), the mean over codes and set-valued α."""
        import numpy as np

        from qualcode.agreement import (
            BOOTSTRAP_SCHEME,
            bootstrap,
            interpret_alpha,
            interpret_kappa,
            per_code,
            set_alpha,
        )

        if not 0 < ci < 1:
            raise ParameterError(f"{{ci}} must be between 0 and 1, e.g. 0.95, not {ci}", "ci")
        given = self.input_for(coders, unit=unit, codes=codes, depth=depth)
        used = [k for k in range(len(given.codes)) if np.nansum(given.data[:, :, k]) > 0]
        data = given.data[:, :, used]
        labels = {c.id: c.label for c in self.project.codebook().codes}
        table = per_code(data)
        if boot and used:
            low, high = bootstrap(data, "alpha", n_boot=boot, ci=ci, seed=seed)
        else:
            low = high = np.full(len(used), np.nan)
        rows = []
        for j, k in enumerate(used):
            code = given.codes[k]
            kappa, alpha = float(table.kappa[j]), float(table.alpha[j])
            rows.append(
                {
                    "code": code,
                    "label": labels.get(code, ""),
                    "units": int(table.n_units[j]),
                    "prevalence": _num(table.prevalence[j]),
                    "p_o": _num(table.p_o[j]),
                    "kappa": _num(kappa),
                    "kappa_type": table.kappa_method,
                    "alpha": _num(alpha),
                    "ac1": _num(table.ac1[j]),
                    "bp": _num(table.bp[j]),
                    "alpha_low": _num(low[j]),
                    "alpha_high": _num(high[j]),
                    "interpretation": f"{interpret_kappa(kappa)} (κ); {interpret_alpha(alpha)} (α)",
                    "reason": table.reason[j],
                }
            )
        pooled = [_mean_row(rows)]
        for distance in ("masi", "jaccard"):
            result = set_alpha(np.array(given.leaf_sets, dtype=object), distance=distance)
            value = float(result.value)
            pooled.append(
                {
                    "code": f"(set α, {distance.upper() if distance == 'masi' else 'Jaccard'})",
                    "label": "whole code sets per unit",
                    "units": getattr(result, "n_units", 0) or 0,
                    "alpha": _num(value),
                    "interpretation": f"{interpret_alpha(value)} (α)",
                    "reason": getattr(result, "reason", "") or "",
                }
            )
        scheme = (
            f"{ci:.0%} CI for α: {BOOTSTRAP_SCHEME}; {boot} resamples of {unit}s, seed {seed}"
            if boot
            else "no bootstrap (--boot 0)"
        )
        return AgreementResult(rows, pooled, scheme, given, len(given.codes) - len(used))

    def disagreements(self, given: AgreementInput) -> list[dict[str, Any]]:
        """Units where the coders who coded them applied different codes: each coder's codes."""
        segments = self.project.segments(speaker="participant") if given.unit == "segment" else []
        texts = {s.id: s.text for s in segments}
        rows = []
        for u, unit_id in enumerate(given.units):
            sets = [given.leaf_sets[c][u] for c in range(len(given.coders))]
            present = [s for s in sets if s is not None]
            if len(present) >= 2 and len(set(present)) > 1:
                row: dict[str, Any] = {given.unit: unit_id, "text": texts.get(unit_id, "")}
                for coder, codes_applied in zip(given.coders, sets):
                    row[coder] = "(not coded)" if codes_applied is None else "; ".join(sorted(codes_applied))
                rows.append(row)
        return rows


def _code_sets(
    applied: np.ndarray, missing: np.ndarray, all_codes: list[str], compared: np.ndarray
) -> list[frozenset[str] | None]:
    """Per unit: the frozenset of compared codes applied (None where missing). One frozenset is
    built per distinct row of ``applied``, not per unit."""
    import numpy as np

    rows = applied[:, compared]
    names = [code for code, keep in zip(all_codes, compared) if keep]
    if not len(rows):
        return []
    packed = np.ascontiguousarray(np.packbits(rows.astype(bool), axis=1))
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).reshape(-1)  # one bytes key per row
    _, first, which = np.unique(keys, return_index=True, return_inverse=True)
    sets = [frozenset(names[i] for i in np.nonzero(rows[row])[0]) for row in first]
    return [None if gone else sets[k] for k, gone in zip(which.reshape(-1).tolist(), missing.tolist())]


def _num(value: Any) -> float | None:
    """Numbers are rounded once, to 3 decimals; undefined is None (empty in CSV, null in JSON)."""
    value = float(value)
    return None if value != value else round(value, 3)


def _mean_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def mean(key: str) -> float | None:
        values = [r[key] for r in rows if r[key] is not None]
        return round(sum(values) / len(values), 3) if values else None

    return {
        "code": "(mean over codes)",
        "label": f"{len(rows)} codes",
        "units": None,
        **{key: mean(key) for key in ("prevalence", "p_o", "kappa", "alpha", "ac1", "bp")},
        "interpretation": "",
        "reason": "",
    }

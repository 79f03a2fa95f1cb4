"""Agreement use case of the Project API: build the coders x units x codes decisions from the logs
and compute per-code and pooled coefficients, bootstrap intervals and the disagreement list."""

from __future__ import annotations

from dataclasses import dataclass, field

from qualcode.errors import ProjectError

AGREEMENT_COLUMNS = ["code", "label", "units", "prevalence", "p_o", "kappa", "kappa_type", "alpha", "ac1", "bp",
                     "alpha_low", "alpha_high", "interpretation", "reason"]


@dataclass(frozen=True)
class AgreementInput:
    coders: list[str]
    unit: str  # segment | document
    units: list[str]
    codes: list[str]  # codes compared (each rolled up with its sub-codes)
    data: object  # numpy array: coders x units x codes, 1 / 0 / NaN (missing)
    leaf_sets: list = field(default_factory=list)  # coders x units: frozenset of codes applied, None = missing


@dataclass(frozen=True)
class AgreementResult:
    rows: list[dict]
    pooled: list[dict]
    scheme: str
    input: AgreementInput
    skipped: int  # codes no coder applied


class AgreementMixin:
    def agreement_input(self, coders: list[str], unit: str = "segment", codes: str | None = None,
                        depth: int | None = None) -> AgreementInput:
        """Each coder's decision per unit and code. A document a coder never opened is missing
        (NaN) for that coder, not "absent"; so is, with segment units, a segment the coder has not
        reached in a document they work through segment by segment (one with ``seen`` marks: a
        segment there is decided once coded or marked seen). A parent code counts when it or a
        sub-code is applied."""
        import numpy as np

        if unit not in ("segment", "document"):
            raise ProjectError(f"--unit must be segment or document, not {unit!r}")
        self.require_coders(coders)
        codebook = self.codebook()
        chosen = [c for c in self.select_codes(codes) if depth is None or codebook.get(c).depth <= depth]
        if not chosen:
            raise ProjectError(f"no code at depth {depth} or less matches")
        opened = {c: self.coded_documents(c) for c in coders}
        segments = [s for s in self.segments(speaker="participant") if any(s["doc"] in opened[c] for c in coders)]
        seg_index = {s["id"]: n for n, s in enumerate(segments)}
        all_codes = codebook.ids
        code_index = {c: n for n, c in enumerate(all_codes)}
        rollup = np.zeros((len(all_codes), len(chosen)), dtype=np.int8)
        for k, code in enumerate(chosen):
            for member in (code, *codebook.descendants(code)):
                rollup[code_index[member], k] = 1
        docs = list(dict.fromkeys(s["doc"] for s in segments))  # in order of first appearance
        doc_number = {doc: n for n, doc in enumerate(docs)}
        doc_of = np.array([doc_number[s["doc"]] for s in segments], dtype=np.int64)
        units = [s["id"] for s in segments] if unit == "segment" else docs
        data = np.zeros((len(coders), len(units), len(chosen)))
        leaf_sets = []
        for c, coder in enumerate(coders):
            applied = np.zeros((len(segments), len(all_codes)), dtype=np.int8)
            held = self._held_pairs(coder)
            for segment, code in held:
                if segment in seg_index and code in code_index:
                    applied[seg_index[segment], code_index[code]] = 1
            unreached = self._unreached(coder, segments, {segment for segment, _ in held})
            if unit == "document":
                per_doc = np.zeros((len(docs), len(all_codes)), dtype=np.int8)
                np.maximum.at(per_doc, doc_of, applied)
                applied = per_doc
            data[c] = (applied.astype(np.int32) @ rollup > 0)
            unit_docs = [s["doc"] for s in segments] if unit == "segment" else docs
            missing = np.array([d not in opened[coder] for d in unit_docs], dtype=bool)
            if unit == "segment":
                missing |= unreached
            data[c][missing] = np.nan
            leaf_sets.append(_code_sets(applied, missing, all_codes, rollup.any(axis=1)))
        return AgreementInput(coders, unit, units, chosen, data, leaf_sets)

    def _unreached(self, coder: str, segments: list[dict], coded: set[str]):
        """Per segment: True where the coder works through its document segment by segment (has
        ``seen`` marks there) but has neither coded nor marked this segment yet."""
        import numpy as np

        paced = {doc for doc, _, _ in self.index.seen_segments(coder)}
        seen = self.seen_segment_ids(coder, [s for s in segments if s["doc"] in paced])
        return np.array([s["doc"] in paced and s["id"] not in coded and s["id"] not in seen for s in segments], dtype=bool)

    def agreement(self, coders: list[str], unit: str = "segment", codes: str | None = None, depth: int | None = None,
                  ci: float = 0.95, boot: int = 2000, seed: int = 0) -> AgreementResult:
        import numpy as np

        from qualcode.agreement import BOOTSTRAP_SCHEME, bootstrap, interpret_alpha, interpret_kappa, per_code, set_alpha

        if not 0 < ci < 1:
            raise ProjectError(f"--ci must be between 0 and 1, e.g. 0.95, not {ci}")
        given = self.agreement_input(coders, unit, codes, depth)
        used = [k for k in range(len(given.codes)) if np.nansum(given.data[:, :, k]) > 0]
        data = given.data[:, :, used]
        labels = {c.id: c.label for c in self.codebook().codes}
        table = per_code(data)
        low, high = bootstrap(data, "alpha", n_boot=boot, ci=ci, seed=seed) if boot and used else ([np.nan] * len(used),) * 2
        rows = []
        for j, k in enumerate(used):
            code = given.codes[k]
            kappa, alpha = float(table.kappa[j]), float(table.alpha[j])
            rows.append({
                "code": code, "label": labels.get(code, ""), "units": int(table.n_units[j]),
                "prevalence": _num(table.prevalence[j]), "p_o": _num(table.p_o[j]), "kappa": _num(kappa),
                "kappa_type": table.kappa_method, "alpha": _num(alpha), "ac1": _num(table.ac1[j]), "bp": _num(table.bp[j]),
                "alpha_low": _num(low[j]), "alpha_high": _num(high[j]),
                "interpretation": f"{interpret_kappa(kappa)} (κ); {interpret_alpha(alpha)} (α)",
                "reason": table.reason[j],
            })
        pooled = [_mean_row(rows)]
        for distance in ("masi", "jaccard"):
            result = set_alpha(np.array(given.leaf_sets, dtype=object), distance=distance)
            value = float(result.value)
            pairable = getattr(result, "n_units", 0) or 0
            pooled.append({"code": f"(set α, {distance.upper() if distance == 'masi' else 'Jaccard'})",
                           "label": "whole code sets per unit", "units": pairable, "alpha": _num(value),
                           "interpretation": f"{interpret_alpha(value)} (α)", "reason": getattr(result, "reason", "") or ""})
        scheme = (f"{ci:.0%} CI for α: {BOOTSTRAP_SCHEME}; {boot} resamples of {unit}s, seed {seed}" if boot
                  else "no bootstrap (--boot 0)")
        return AgreementResult(rows, pooled, scheme, given, len(given.codes) - len(used))

    def disagreements(self, coders: list[str], unit: str = "segment", codes: str | None = None,
                      depth: int | None = None) -> list[dict]:
        """Units where the coders who coded them applied different codes: each coder's codes."""
        given = self.agreement_input(coders, unit, codes, depth)
        texts = {s["id"]: s["text"] for s in self.segments(speaker="participant")} if unit == "segment" else {}
        rows = []
        for u, unit_id in enumerate(given.units):
            sets = [given.leaf_sets[c][u] for c in range(len(coders))]
            present = [s for s in sets if s is not None]
            if len(present) >= 2 and len(set(present)) > 1:
                row = {unit: unit_id, "text": texts.get(unit_id, "")}
                for coder, codes_applied in zip(coders, sets):
                    row[coder] = "(not coded)" if codes_applied is None else "; ".join(sorted(codes_applied))
                rows.append(row)
        return rows


def _code_sets(applied, missing, all_codes: list[str], compared) -> list:
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


def _num(value) -> float | None:
    """Numbers are rounded once, to 3 decimals; undefined is None (empty in CSV, null in JSON)."""
    value = float(value)
    return None if value != value else round(value, 3)


def _mean_row(rows: list[dict]) -> dict:
    def mean(key):
        values = [r[key] for r in rows if r[key] is not None]
        return round(sum(values) / len(values), 3) if values else None

    return {"code": "(mean over codes)", "label": f"{len(rows)} codes", "units": None,
            **{key: mean(key) for key in ("prevalence", "p_o", "kappa", "alpha", "ac1", "bp")},
            "interpretation": "", "reason": ""}

"""Autocoding: rule-based suggestions from the codebook's cues, explained and measured.

Owns matching (``matcher``: spaCy phrase and token matchers on lemmas, fuzzy variants found once
per vocabulary; ``arrays``: the corpus as token arrays; ``regex``: regex cues with a literal
prefilter), the evaluation against a human coder (``evaluation``) and the use cases that store and
review suggestions (``service``). Matching never writes; only the service stores what it returns.
"""

from qualcode._lazy import lazy_exports

__all__ = ["AutocodeService", "Autocoder", "Evaluation", "autocoder_for", "evaluate"]

__getattr__ = lazy_exports(
    __name__,
    {
        "AutocodeService": "service",
        "Autocoder": "matcher",
        "autocoder_for": "matcher",
        "Evaluation": "evaluation",
        "evaluate": "evaluation",
    },
)

"""qualcode: reproducible, scriptable qualitative interview coding.

The Python API starts at :class:`Project` (``Project.open("my-study")``); its services are
``project.coding``, ``project.adjudication``, ``project.autocode``, ``project.agreement`` and
``project.analysis``, and ``project.coders`` is the read model of what each coder decided.
Names are imported on first use, so ``import qualcode`` stays cheap.
"""

from qualcode._lazy import lazy_exports

__version__ = "0.1.0"

__all__ = ["Codebook", "Project", "QualcodeError", "__version__", "load_codebook"]

__getattr__ = lazy_exports(
    __name__, {"Project": "project", "Codebook": "codebook", "load_codebook": "codebook", "QualcodeError": "errors"}
)

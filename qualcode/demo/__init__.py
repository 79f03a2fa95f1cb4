"""The synthetic study: a complete, valid qualcode project with known answers, for trying qualcode,
for the demo and for tests. Owns the generator (``generator``), the bank of written passages per code
(``bank`` and its YAML files), interview composition (``compose``) and the file formats it writes
(``formats``). Everything it writes is synthetic; no real participant's words."""

from qualcode._lazy import lazy_exports

__all__ = ["DemoReport", "generate_corpus"]

__getattr__ = lazy_exports(__name__, {"DemoReport": "generator", "generate_corpus": "generator"})

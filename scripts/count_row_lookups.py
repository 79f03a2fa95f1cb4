"""Count subscripts with a literal string key (row["id"]) in a package: the dict-row lookups.

python scripts/count_row_lookups.py qualcode
"""

import ast
import sys
from pathlib import Path

total = 0
per = {}
for path in Path(sys.argv[1]).rglob("*.py"):
    tree = ast.parse(path.read_text())
    n = sum(
        1
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
    )
    per[str(path)] = n
    total += n
for p, n in sorted(per.items(), key=lambda x: -x[1])[:15]:
    print(n, p)
print("total", total)

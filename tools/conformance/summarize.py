"""Print pass/fail counts and the failing tests of one conformance-suite run log (JSON)."""

from __future__ import annotations

import json
import sys


def failures(node, trail=()):
    title = node.get("title") or node.get("name") or ""
    here = (*trail, title) if title else trail
    children = node.get("tests") or []
    if not children and node.get("status") == "failed":
        yield " > ".join(here[-2:]), (node.get("error") or "")
    for child in children:
        yield from failures(child, here)


def main(path: str) -> int:
    with open(path) as fh:
        data = json.load(fh)
    print("summary:", json.dumps(data.get("summary")))
    logs = data.get("log")
    roots = logs if isinstance(logs, list) else [logs]
    for root in roots:
        if isinstance(root, dict):
            for name, error in failures(root):
                print(f"  FAILED {name}\n         {str(error)[:300]}")
    return 1 if (data.get("summary") or {}).get("failed") else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

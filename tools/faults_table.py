"""Print the faults tier's scoreboard as a markdown table (the README's "Faults and bad input" table).

Usage: ``python tools/faults_table.py build/faults [--readme README.md]``. Reads every ``<part>.json``
the tier wrote (``tests/faults/scoreboard.py``); one row per scenario, the parts it ran in, and the
totals. Exits 1 if a takes-lost or partial-files count is not zero or a scenario failed. With
``--readme`` the table between the README's ``faults-table`` markers is replaced.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

BEGIN, END = "<!-- faults-table:begin -->", "<!-- faults-table:end -->"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(folder: Path) -> tuple[str, bool]:
    rows: dict[str, dict] = {}
    for path in sorted(folder.glob("*.json")):
        for row in json.loads(path.read_text(encoding="utf-8")):
            merged = rows.setdefault(row["scenario"], {**row, "parts": [], "passed": True, "faults": 0,
                                                        "takes_lost": 0, "partial_files": 0})
            merged["parts"].append(path.stem)
            merged["passed"] = merged["passed"] and row["passed"]
            for key in ("faults", "takes_lost", "partial_files"):
                merged[key] += row[key]
    lines = [
        "| scenario | injected | what the user saw | what survived | faults | result | takes lost | partial files |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows.values():
        lines.append("| " + " | ".join(_cell(v) for v in (
            row["scenario"], row["injected"], row["user_saw"], row["survived"], row["faults"],
            f"{'passed' if row['passed'] else 'FAILED'} ({', '.join(row['parts'])})", row["takes_lost"],
            row["partial_files"])) + " |")
    total = {key: sum(r[key] for r in rows.values()) for key in ("faults", "takes_lost", "partial_files")}
    passed = sum(1 for r in rows.values() if r["passed"])
    lines.append(
        f"\n**{len(rows)} scenarios, {passed} passed; {total['faults']} faults injected; "
        f"takes lost: {total['takes_lost']}; partial files left: {total['partial_files']}.**"
    )
    ok = passed == len(rows) and total["takes_lost"] == 0 and total["partial_files"] == 0
    return "\n".join(lines), ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("--readme", type=Path)
    args = parser.parse_args()
    text, ok = table(args.results)
    print(text)
    if args.readme:
        readme = args.readme.read_text(encoding="utf-8")
        pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
        if not pattern.search(readme):
            print(f"{args.readme} has no {BEGIN} ... {END} markers", file=sys.stderr)
            return 1
        args.readme.write_text(pattern.sub(lambda _m: f"{BEGIN}\n{text}\n{END}", readme), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

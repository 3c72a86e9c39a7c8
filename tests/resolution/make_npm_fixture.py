"""Regenerate npm_ranges.json: what npm's own node-semver says about many ranges and versions.

Run by hand when node-semver changes (not part of the test run):

    python tests/resolution/make_npm_fixture.py /usr/lib/node_modules/npm/node_modules/semver

It needs `node` and a node-semver checkout (npm bundles one). The ranges are the documented
forms plus random ones drawn from npm's range grammar, valid and invalid.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).with_name("npm_ranges.json")

DOCUMENTED = [
    "*",
    "",
    "x",
    "X",
    "1",
    "1.x",
    "1.2",
    "1.2.x",
    "1.x.x",
    "1.*",
    "1.2.*",
    "*.*.*",
    "^1",
    "^1.2",
    "^1.2.3",
    "^0",
    "^0.0",
    "^0.0.x",
    "^0.x",
    "^0.1",
    "^0.1.2",
    "^0.0.1",
    "^0.0.0",
    "^1.2.3-beta.2",
    "^0.0.3-beta",
    "^0.1.2-rc.1",
    "^1.x",
    "^1.*",
    "~1",
    "~1.2",
    "~1.2.3",
    "~0",
    "~0.2",
    "~0.2.3",
    "~1.2.3-beta.2",
    "~>1.2",
    "~> 1.2.3",
    "~ 1.2",
    "^ 1.2",
    ">=1.0 <2",
    ">=1.0.0 <2.0.0",
    ">1",
    ">1.2",
    ">1.2.3",
    "<1",
    "<1.2",
    "<1.2.3",
    "<=1",
    "<=1.2",
    "<=1.2.3",
    ">=1",
    ">=1.2",
    "=1.2",
    "=1.2.3",
    "v1.2.3",
    "1.2.3",
    "1.2.3 - 2.0.0",
    "1.2 - 2.3",
    "1.2.3 - 2",
    "1 - 2",
    "1.2.3-beta - 2.0.0",
    "1.2.3 - 2.0.0-rc.1",
    "1.x - 2.x",
    "^1.2.3 || ^2",
    "1.x || >=2.5.0 || 5.0.0 - 7.2.3",
    "<1.2 >=1.2.0-beta",
    "^1.2.3 >=2.0.0-alpha",
    "1.x >=2.0.0-alpha",
    "~1.2 >=1.3.0-beta",
    ">=1.2.0-beta <1.2.0",
    ">*",
    "<*",
    ">=*",
    "<=*",
    ">=0.0.0-0",
    "<2.0.0-0 >=1.0.0",
    ">=1.2.3-alpha <1.2.3",
    "1.2.3-beta.2 || 2.x",
    ">= 1.2.3",
    ">=1.2.3 <= 2.0.0",
    "^1.2.3-beta || ^2.0.0-rc.1",
    "<0.0.0-0",
    "1.2.3+build",
    ">=1.2.3+build",
    "^1.2.3+meta",
    "~1.2.3-beta.2 || 3.x",
    "0.x",
    "0.0.x",
    "^0.0.1-alpha",
    "2.0.0-alpha",
    "2.0.0-alpha - 2.0.0",
    "=1",
    "<=1.2.3-beta",
    ">1.2.3-beta",
    "1.2.3 - 2.3.4 || 3.0.0-beta",
    "1.2.3-beta || *",
    "1.x.1",
    "*.2",
    "x.1.x",
    "01.2.3",
    "1.2.3-01",
    "latest",
    "stable",
    "^",
    "~",
    ">",
    "1.2.3 |",
    "1.2.3 || ",
    "a.b.c",
    "1.2.3.4",
    ">=1.0.0 <2.0.0 || >=3",
]


def _random_ranges(rng: random.Random, count: int) -> list[str]:
    def num() -> str:
        return rng.choice(["0", "1", "2", "3"])

    def part() -> str:
        return rng.choice([num(), num(), num(), "x", "*", "X"])

    def partial() -> str:
        parts = [part() for _ in range(rng.choice([1, 2, 3, 3, 3]))]
        text = ".".join(parts)
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            text += rng.choice(["", "", "", "-alpha", "-beta.2", "-0", "-rc.1", "-1"])
        return text

    def comparator() -> str:
        k = rng.random()
        if k < 0.15:
            return "^" + rng.choice(["", " "]) + partial()
        if k < 0.3:
            return rng.choice(["~", "~>", "~ "]) + partial()
        if k < 0.6:
            op = rng.choice(["", ">", "<", ">=", "<=", "="])
            return op + rng.choice(["", " "]) + partial()
        if k < 0.7:
            return partial() + " - " + partial()
        return partial()

    ranges: set[str] = set()
    while len(ranges) < count:
        sets = [
            " ".join(comparator() for _ in range(rng.choice([1, 1, 2, 2, 3])))
            for _ in range(rng.choice([1, 1, 1, 2, 3]))
        ]
        ranges.add(" || ".join(sets))
    return sorted(ranges)


def _versions() -> list[str]:
    versions = set()
    for major in range(4):
        for minor in range(4):
            for patch in range(4):
                versions.add(f"{major}.{minor}.{patch}")
                for pre in ("alpha", "beta.2", "0", "rc.1"):
                    versions.add(f"{major}.{minor}.{patch}-{pre}")
    return sorted(versions)


_NODE = """
const semver = require(process.argv[1]);
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = {};
for (const r of input.ranges) {
  let range = null;
  try { range = new semver.Range(r); } catch (e) { range = null; }
  out[r] = range === null ? null : input.versions.filter(v => range.test(v));
}
process.stdout.write(JSON.stringify({version: require(process.argv[1] + '/package.json').version,
                                     cases: out}));
"""


def main(semver_dir: str) -> None:
    rng = random.Random(20260501)
    ranges = list(dict.fromkeys(DOCUMENTED + _random_ranges(rng, 600)))
    versions = _versions()
    run = subprocess.run(
        ["node", "-e", _NODE, semver_dir],
        input=json.dumps({"ranges": ranges, "versions": versions}),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(run.stdout)
    index = {v: i for i, v in enumerate(versions)}
    cases = {
        r: None if matches is None else [index[v] for v in matches]
        for r, matches in result["cases"].items()
    }
    document = {
        "generator": "tests/resolution/make_npm_fixture.py",
        "node_semver": result["version"],
        "versions": versions,
        "cases": cases,
    }
    FIXTURE.write_text(json.dumps(document, indent=0, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])

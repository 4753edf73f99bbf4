#!/usr/bin/env python3
"""Prints the side-by-side table of llama-cpp-compare.sh from the JSON its runs left in --out.

Files: ferret-c<I>-t<T>-r<R>.json (ferret bench --json) and llama-c<I>-t<T>-r<R>.json (llama-bench -o json), for
checkpoint I (in the order given), thread count T and round R. Each cell is the median over the rounds, with the
lowest and highest in brackets; a ratio is ferret4j's median over llama.cpp's.
"""
import argparse
import json
import re
import statistics
from pathlib import Path

RUN = re.compile(r"(ferret|llama)-c(\d+)-t(\d+)-r(\d+)\.json")


def figures(out: Path):
    """{(checkpoint, threads): {figure: [value per round]}} and one ferret result for the machine."""
    cells, machine = {}, None
    for f in sorted(out.glob("*.json")):
        m = RUN.fullmatch(f.name)
        if m is None:
            continue
        engine, c, t = m.group(1), int(m.group(2)), int(m.group(3))
        cell = cells.setdefault((c, t), {})
        r = json.loads(f.read_text())
        if engine == "ferret":
            machine = machine or r
            cell.setdefault("ferret prefill", []).append(r["prefill_tokens_per_s"])
            cell.setdefault("ferret decode", []).append(r["decode_tokens_per_s"])
            cell.setdefault("rows", []).append(r["prompt_rows"])
        else:
            for test in r:
                kind = "llama prefill" if test["n_prompt"] > 0 else "llama decode"
                cell.setdefault(kind, []).append(test["avg_ts"])
    return cells, machine


def cell(values):
    med = statistics.median(values)
    return f"{med:.2f} ({min(values):.2f}-{max(values):.2f})" if len(values) > 1 else f"{med:.2f}"


def ratio(cell_values, key_ferret, key_llama):
    return statistics.median(cell_values[key_ferret]) / statistics.median(cell_values[key_llama])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--llama-commit", required=True)
    p.add_argument("checkpoints", nargs="+")
    a = p.parse_args()
    cells, machine = figures(a.out)
    m = machine["machine"]
    flags = " ".join(("" if on else "no ") + f for f, on in m["features"].items())
    print(f"cpu        {m['cpu']}, {m['cpus']} CPUs; {flags}")
    print(f"java       {m['java']}")
    print(f"llama.cpp  {a.llama_commit}")
    loads = [float(x) for x in (a.out / "loadavg.txt").read_text().split()] if (a.out / "loadavg.txt").exists() else []
    if loads:
        print(f"load       1-minute load average before the runs {min(loads):.1f}-{max(loads):.1f}")
    rounds = max(len(v.get("ferret decode", [])) for v in cells.values())
    print(f"medians of {rounds} interleaved rounds (lowest-highest); ratio = ferret4j / llama.cpp")
    print()
    header = ("| checkpoint | threads | prefill rows | prefill tok/s llama.cpp | ferret4j | ratio "
              "| decode tok/s llama.cpp | ferret4j | ratio |")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for (c, t), v in sorted(cells.items()):
        if not {"ferret decode", "llama decode"} <= v.keys():
            continue                                   # a run that did not finish
        k = json.loads((Path(a.checkpoints[c]) / "ferret-bench.json").read_text())["checkpoint"]
        name = f"{k['model']} {k['layers']} layers {k['weights']}"
        print(f"| {name} | {t} | {statistics.median(v['rows']):.0f} | {cell(v['llama prefill'])} "
              f"| {cell(v['ferret prefill'])} | {ratio(v, 'ferret prefill', 'llama prefill'):.2f} "
              f"| {cell(v['llama decode'])} | {cell(v['ferret decode'])} "
              f"| {ratio(v, 'ferret decode', 'llama decode'):.2f} |")


if __name__ == "__main__":
    main()

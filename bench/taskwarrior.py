"""reqtrack side by side with Taskwarrior 2.6 on the same 10,000 items.

    apt-get install -y taskwarrior     # Debian's package (2.6.x); without it this script skips cleanly
    python bench/taskwarrior.py [--n 10000] [--repeats 5] [--out tw-results.json]

The items are the requests of the benchmark database (bench/build_db.py, the same file
bench/run.py uses): each becomes a Taskwarrior task with the same description (first line),
customer as project, priority (H/M/L), type as a tag, submission as `entry`, planned completion
as `due`, and status (open → pending, done/closed → completed with its end, cancelled → deleted).
The realistic shape has about a tenth of the items open; `--open-share 0.8` gives the shape issue
21 was measured on (8,000 open, about 2,000 past their planned date with `--overdue-share 0.2`),
where Taskwarrior's pending.data — read whole by every command — is eight times larger.
Taskwarrior runs with a throwaway TASKRC and TASKDATA under /tmp (confirmation, hooks, news and
garbage collection messages off), so nothing of the user's own task list is touched.

Pairs timed (median of --repeats after a warm-up, the two tools alternating run by run so that
both see the same load, with the median of the per-round ratios; wall time and peak memory per
process; --engine postgres runs reqtrack on a copy of the data on the server):
bulk load (task import of the 10,000 as JSON vs reqtrack import of an xlsx export of them, when
reqtrack has import/export), add one item, change one (modify vs classify), a note on one
(annotate vs progress), the first screen of the list, every open item,
showing one item (`task UUID info`/`export` vs `show`/`show --json`), every open item as JSON,
overdue items, a count of open items (`list --open --count`) and `--version`. The exact command lines are printed and saved, so
anyone can re-run them by hand. The semantics differ: Taskwarrior's "overdue" is "due date
passed", reqtrack's also checks the response, plan and resolution SLA clocks in working days.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ensure_database, reqtrack_command, run_once, user_environment  # noqa: E402

NAMESPACE = uuid.UUID("6f1d1b1e-7c1a-4d59-9a8e-2f7f3b0c4a10")
PRIORITY = {"high": "H", "medium": "M", "low": "L"}


def tw_time(stored: str | None) -> str | None:
    """reqtrack's stored UTC text → Taskwarrior's `YYYYMMDDTHHMMSSZ`."""
    return stored.replace("-", "").replace(":", "") if stored else None


def tasks_from(db: Path, history: bool = True) -> list[dict[str, Any]]:
    """The database's requests as Taskwarrior tasks (read with plain sqlite3); with `history`,
    each entry of a request's history after its registration is an annotation of its task (its
    time; action, actor, note and changes as text), so that both tools hold the same record."""
    conn = sqlite3.connect(db)
    notes: dict[str, list[dict[str, str]]] = {}
    if history:
        for rid, at, action, actor, changes, note in conn.execute(
                "SELECT request_id, at, action, actor, changes, note FROM event WHERE seq > 1 ORDER BY request_id, seq"):
            text = f"{action} ({actor})" + (f": {note}" if note else "") + (f" {changes}" if changes and changes != "{}" else "")
            notes.setdefault(rid, []).append({"entry": tw_time(at) or "", "description": text})
    tasks = []
    query = ("SELECT id, description, customer, priority, type, submitted_at, due, status, completed_at, closed_at, "
             "updated_at FROM request")
    for rid, description, customer, priority, type_, submitted, due, status, completed, closed, updated in conn.execute(query):
        task: dict[str, Any] = {
            "uuid": str(uuid.uuid5(NAMESPACE, rid)),
            "description": f"{rid} {description.splitlines()[0]}",
            "project": customer.replace(".", " "),  # a dot would make a sub-project
            "entry": tw_time(submitted),
            "modified": tw_time(updated or submitted),
            "status": "pending",
        }
        if priority:
            task["priority"] = PRIORITY[priority]
        if type_:
            task["tags"] = [type_]
        if due:
            task["due"] = tw_time(due)
        if rid in notes:
            task["annotations"] = notes[rid]
        if status in ("done", "closed"):
            task["status"] = "completed"
            task["end"] = tw_time(closed or completed or updated)
        elif status == "cancelled":
            task["status"] = "deleted"
            task["end"] = tw_time(updated)
        tasks.append(task)
    conn.close()
    return tasks


def timed(argv: list[str], env: dict[str, str], repeats: int, warmup: int, ok: tuple[int, ...] = (0, 1)) -> dict[str, Any]:
    seconds, peaks, output = [], [], b""
    for index in range(warmup + repeats):
        elapsed, peak_kb, code, stdout, stderr, _ = run_once(argv, env, timeout=900)
        if code not in ok:
            return {"command": shlex.join(argv), "status": f"failed: exit {code}: {stderr.strip()[-200:]}"}
        if index >= warmup:
            seconds.append(elapsed)
            peaks.append(peak_kb)
        output = stdout
    return {"command": shlex.join(argv), "status": "ok", "median_s": round(statistics.median(seconds), 4),
            "runs_s": [round(s, 4) for s in seconds], "peak_mb": round(max(peaks) / 1024, 1),
            "stdout_lines": output.count(b"\n"), "stdout_head": output[:200].decode("utf-8", "replace")}


def paired(tw: tuple[list[str], dict[str, str]], rq: tuple[list[str], dict[str, str]], repeats: int, warmup: int,
           ok: tuple[int, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both tools' runs of one pair, alternating (Taskwarrior, reqtrack, Taskwarrior, …), so that
    both see the same machine load; the per-round ratios are kept too."""
    runs: dict[str, list[tuple[float, int, bytes]]] = {"tw": [], "rq": []}
    for index in range(warmup + repeats):
        for side, (argv, env), codes in (("tw", tw, (0, 1)), ("rq", rq, ok)):
            elapsed, peak_kb, code, stdout, stderr, _ = run_once(argv, env, timeout=900)
            if code not in codes:
                failed = {"command": shlex.join(argv), "status": f"failed: exit {code}: {stderr.strip()[-200:]}"}
                other = {"command": shlex.join((rq if side == "tw" else tw)[0]), "status": "not run"}
                return (failed, other) if side == "tw" else (other, failed)
            if index >= warmup:
                runs[side].append((elapsed, peak_kb, stdout))

    def summary(side: str, argv: list[str]) -> dict[str, Any]:
        seconds = [r[0] for r in runs[side]]
        return {"command": shlex.join(argv), "status": "ok", "median_s": round(statistics.median(seconds), 4),
                "runs_s": [round(x, 4) for x in seconds], "peak_mb": round(max(r[1] for r in runs[side]) / 1024, 1),
                "stdout_lines": runs[side][-1][2].count(b"\n"), "stdout_head": runs[side][-1][2][:200].decode("utf-8", "replace")}

    tw_summary, rq_summary = summary("tw", tw[0]), summary("rq", rq[0])
    rq_summary["ratios"] = [round(r / t, 2) for (r, _, _), (t, _, _) in zip(runs["rq"], runs["tw"])]
    rq_summary["ratio_median"] = round(statistics.median(rq_summary["ratios"]), 2)
    return tw_summary, rq_summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--db-dir", type=Path, default=Path("/tmp/reqtrack-bench"))
    parser.add_argument("--out", type=Path, default=Path("tw-results.json"))
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite",
                        help="reqtrack's database: the file (default) or a copy of it on the server of --pg")
    parser.add_argument("--open-share", type=float, metavar="F",
                        help="items of this shape instead of the realistic one (about a tenth open): this share "
                             "open, e.g. 0.8 with --overdue-share 0.2 for the 8,000 open / 2,000 overdue of issue 21")
    parser.add_argument("--overdue-share", type=float, default=0.2, metavar="F",
                        help="with --open-share: about this share of all items past their planned date (default 0.2)")
    parser.add_argument("--no-history", action="store_true",
                        help="tasks without annotations (by default each history entry is one, as reqtrack keeps it)")
    parser.add_argument("--pg", default=os.environ.get("REQTRACK_BENCH_PG", "postgresql://root@127.0.0.1:5432/test"))
    args = parser.parse_args(argv)
    task = shutil.which("task")
    if task is None:
        print("skipped: Taskwarrior (`task`) is not installed; `apt-get install -y taskwarrior` to compare")
        return 0
    version = subprocess.run([task, "--version"], capture_output=True, text=True).stdout.strip()
    args.db_dir.mkdir(parents=True, exist_ok=True)
    shape = None if args.open_share is None else (args.open_share, args.overdue_share)
    db, meta = ensure_database(args.n, args.db_dir, min(2, os.cpu_count() or 1), False, shape)
    work = Path(tempfile.mkdtemp(prefix="taskwarrior-", dir=args.db_dir))
    data = work / "taskdata"
    data.mkdir()
    rc = work / "taskrc"
    rc.write_text(
        f"data.location={data}\n"
        "confirmation=off\nverbose=nothing\nhooks=off\nrecurrence=off\nnews.version=2.6.0\n"
        "detection=off\ndefaultwidth=160\ndefaultheight=60\ncolor=off\n"
    )
    tw_env = {**os.environ, "TASKRC": str(rc), "TASKDATA": str(data)}
    # Work on a copy: `new` adds rows, and the other benchmarks keep the pristine file.
    rt_db = work / "reqtrack.db"
    shutil.copy(db, rt_db)
    rt_env = user_environment(REQTRACK_DB=str(rt_db), REQTRACK_NOW=meta["now"], TZ=meta["timezone"],
                              REQTRACK_USER="bench")
    rt_env.pop("REQTRACK_LANG", None)
    rt = reqtrack_command()
    if args.engine == "postgres":  # the same data on the server, in a scratch schema of its own
        url = f"{args.pg}{'&' if '?' in args.pg else '?'}schema=taskwarrior_bench"
        subprocess.run([*rt, "copy", url, "--force"], env=rt_env, check=True, stdout=subprocess.DEVNULL)
        rt_env["REQTRACK_DB"] = url
    conn = sqlite3.connect(db)
    pending_id = conn.execute("SELECT id FROM request WHERE status = 'pending' ORDER BY id LIMIT 1").fetchone()[0]
    open_id = conn.execute("SELECT id FROM request WHERE status = 'in-progress' ORDER BY id LIMIT 1").fetchone()[0]
    conn.close()
    tasks = tasks_from(db, history=not args.no_history)
    tasks_file = work / "tasks.json"
    tasks_file.write_text(json.dumps(tasks, ensure_ascii=False))

    annotations = sum(len(t.get("annotations", ())) for t in tasks)
    past_due = sum(1 for t in tasks if t["status"] == "pending" and t.get("due", "~") < tw_time(meta["now"][:19]))
    results: dict[str, Any] = {"taskwarrior": version, "items": len(tasks), "annotations": annotations,
                               "past_due": past_due, "now": meta["now"], "pairs": [],
                               "loadavg_start": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    print(f"Taskwarrior {version}, {len(tasks):,} items, TASKRC={rc}", file=sys.stderr)

    # Bulk load: once each (it changes the data), Taskwarrior's import of JSON vs reqtrack's of xlsx.
    load = timed([task, "import", str(tasks_file)], tw_env, repeats=1, warmup=0)
    rt_load: dict[str, Any] = {"status": "skipped: reqtrack export/import not available"}
    have = lambda command: subprocess.run([*rt, command, "--help"], env=rt_env, capture_output=True).returncode == 0  # noqa: E731
    if have("export") and have("import"):
        sheet = work / "requests.xlsx"
        made = subprocess.run([*rt, "export", str(sheet)], env=rt_env, capture_output=True, text=True)
        if made.returncode == 0:
            rt_load = timed([*rt, "import", str(sheet)], {**rt_env, "REQTRACK_DB": str(work / "imported.db")},
                            repeats=1, warmup=0, ok=(0,))
        else:
            rt_load = {"status": f"failed: export: {made.stderr.strip()[-200:]}"}
    results["pairs"].append({"what": f"bulk load {len(tasks):,} items", "taskwarrior": load, "reqtrack": rt_load})

    pairs = [
        ("add one item", [task, "add", "项目 Benchmark: export is slow", "project:Benchmark", "priority:M", "due:eow"],
         [*rt, "new", "项目 Benchmark: export is slow", "--customer", "Benchmark", "--priority", "medium"], (0,)),
        ("change one item", [task, "1", "modify", "priority:H"], [*rt, "classify", pending_id, "--feasibility", "now"], (0,)),
        ("note on one item", [task, "1", "annotate", "called the customer back"],
         [*rt, "progress", open_id, "called the customer back"], (0,)),
        ("show one item", [task, str(uuid.uuid5(NAMESPACE, open_id)), "info"], [*rt, "show", open_id], (0,)),
        ("show one item, JSON", [task, str(uuid.uuid5(NAMESPACE, open_id)), "export"], [*rt, "show", open_id, "--json"], (0,)),
        ("list, first screen (50 rows)", [task, "limit:50", "list"], [*rt, "list", "--limit", "50"], (0, 1)),
        ("list every open item", [task, "list"], [*rt, "list", "--open", "--all"], (0, 1)),
        ("every open item as JSON", [task, "status:pending", "export"], [*rt, "list", "--open", "--format", "json"], (0,)),
        ("overdue, as a table", [task, "overdue"], [*rt, "overdue"], (0, 1)),
        ("overdue, as JSON", [task, "+OVERDUE", "export"], [*rt, "overdue", "--json"], (0, 1)),
        ("count open items", [task, "status:pending", "count"], [*rt, "list", "--open", "--count"], (0,)),
        ("version", [task, "--version"], [*rt, "--version"], (0,)),
    ]
    for what, tw_argv, rt_argv, ok in pairs:
        print(f"{what} ...", file=sys.stderr, flush=True)
        tw_result, rq_result = paired((tw_argv, tw_env), (rt_argv, rt_env), args.repeats, args.warmup, ok)
        results["pairs"].append({"what": what, "taskwarrior": tw_result, "reqtrack": rq_result})

    results["loadavg_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    rt_version = subprocess.run([*rt, "--version"], env=rt_env, capture_output=True, text=True).stdout.strip()
    results["reqtrack"] = rt_version
    results["python"] = platform.python_version()
    results["sqlite"] = sqlite3.sqlite_version
    lines = [f"Taskwarrior {version} vs {rt_version} (Python {platform.python_version()}, SQLite "
             f"{sqlite3.sqlite_version}, {os.cpu_count()} CPUs) on the same {len(tasks):,} items "
             f"({meta['open']:,} open, {past_due:,} of them past their planned date; "
             f"{annotations:,} history entries after registration, as annotations in Taskwarrior), {datetime.now().strftime('%Y-%m-%d %H:%M')}; load average at start "
             f"{results['loadavg_start']}, at end {results['loadavg_end']}; median of {args.repeats} paired runs "
             f"(the two tools alternating) after {args.warmup} warm-up (bulk load: one run each); reqtrack on "
             f"{args.engine}", "",
             "| what | Taskwarrior s | peak MB | reqtrack s | peak MB | reqtrack / Taskwarrior (median of pairs) | Taskwarrior command | reqtrack command |",
             "|---|---:|---:|---:|---:|---:|---|---|"]
    for pair in results["pairs"]:
        tw, rq = pair["taskwarrior"], pair["reqtrack"]
        cell = lambda r, key: (f"{r[key]:.3f}" if key == "median_s" else f"{r[key]:.0f}") if r.get("status") == "ok" else r.get("status", "")  # noqa: E731
        lines.append(f"| {pair['what']} | {cell(tw, 'median_s')} | {cell(tw, 'peak_mb') if tw.get('status') == 'ok' else ''} | "
                     f"{cell(rq, 'median_s')} | {cell(rq, 'peak_mb') if rq.get('status') == 'ok' else ''} | "
                     f"{str(rq.get('ratio_median', '')) + '×' if rq.get('ratio_median') else ''} | "
                     f"`{_short(tw.get('command', ''))}` | `{_short(rq.get('command', ''))}` |")
    lines += ["", "Taskwarrior settings (TASKRC): " + "; ".join(rc.read_text().splitlines()[1:])]
    table = "\n".join(lines) + "\n"
    print(table)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    if args.markdown:
        args.markdown.write_text(table)
    shutil.rmtree(work, ignore_errors=True)
    return 0


def _short(command: str) -> str:
    """The command as a user types it: program name without its directory, temp paths shortened."""
    parts = shlex.split(command) if command else []
    if parts:
        parts[0] = Path(parts[0]).name
    return shlex.join(parts).replace(tempfile.gettempdir() + "/", "/tmp/")


if __name__ == "__main__":
    sys.exit(main())

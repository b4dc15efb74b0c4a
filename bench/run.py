"""Time whole reqtrack commands as a user runs them, next to baselines measured in the same run.

    python bench/run.py                                   # 10k and 100k, 5 repeats
    python bench/run.py --sizes 10000,100000,1000000 --repeats 5 --out bench-results.json
    python bench/run.py --engine postgres                 # the same commands on the PostgreSQL server

For each size it builds the database once (bench/build_db.py, kept under --db-dir and reused
by later runs; --rebuild makes it again), then runs the installed `reqtrack` in a subprocess
with REQTRACK_DB set and REQTRACK_NOW pinned to the data's `now`: `--help`, `new` (on a copy of
the database), `show`, `list` (first page), `list --open --format json`, `overdue --json`,
`report --period year --json` (this year up to the data's `now`), `export` to xlsx and `import`
of that sheet into an empty database. Each command gets a warm-up run and then --repeats timed
runs (3 when one run takes over 15 s): the median wall time and the peak resident memory of the
process (ru_maxrss from wait4) are reported, with the load average just before. A command this
reqtrack does not have is reported as "skipped: not available".

With `--engine postgres` the same commands run against the server of `--pg` (default
REQTRACK_BENCH_PG, else postgresql://root@127.0.0.1:5432/test): the built file is copied there
once with `reqtrack copy` into the schema `bench_N` (kept and reused; --rebuild copies again),
`new` runs on a scratch schema and `import` into a fresh one. bench/engines.py runs both engines
side by side in paired runs, for the ratio between them.

Baselines, measured in the same run because absolute times drift on a shared machine:
`python -c pass`, `python -c "import sqlmodel"`, openpyxl's bare write-only loop over the same
rows (for export) and its bare read-only pass over the same file (for import) — see
bench/baseline_xlsx.py. Prints a Markdown table and writes everything to a JSON file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable
MB = 1024 * 1024

# Targets of issue 7, at 100,000 requests (and 1,000,000 where given): seconds, or a ratio to a baseline.
TARGETS: dict[str, dict[str, Any]] = {
    "--help": {"seconds": {100_000: 0.150}},
    "show": {"seconds": {100_000: 0.6}},
    "list": {"seconds": {100_000: 0.8}},
    "overdue --json": {"seconds": {100_000: 1.0, 1_000_000: 3.0}},
    "report --period year --json": {"seconds": {100_000: 2.0, 1_000_000: 10.0}},
    "export xlsx": {"ratio": 1.3, "baseline": "openpyxl write-only loop", "peak_mb": 150},
    "import xlsx": {"ratio": 2.0, "baseline": "openpyxl read-only pass", "peak_mb": 300},
}


@dataclass
class Measurement:
    """The timed runs of one command at one size."""

    name: str
    argv: list[str]
    status: str = "ok"  # ok | skipped: ... | failed: ...
    seconds: list[float] = field(default_factory=list)
    peak_kb: list[int] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)  # user + system CPU of the process
    inner_seconds: list[float] = field(default_factory=list)  # what a baseline script timed itself
    exit_codes: list[int] = field(default_factory=list)
    output: dict[str, Any] = field(default_factory=dict)  # what the output held (rows, bytes)
    load: str = ""  # 1-minute load average just before the runs (the machine is shared)

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu_seconds) if self.cpu_seconds else None

    @property
    def inner_median(self) -> float | None:
        return statistics.median(self.inner_seconds) if self.inner_seconds else None

    @property
    def peak_mb(self) -> float | None:
        return max(self.peak_kb) / 1024 if self.peak_kb else None

    def to_json(self) -> dict[str, Any]:
        return {
            "argv": self.argv, "status": self.status, "median_s": _round(self.median),
            "min_s": _round(min(self.seconds)) if self.seconds else None,
            "max_s": _round(max(self.seconds)) if self.seconds else None,
            "runs_s": [_round(s) for s in self.seconds], "peak_mb": _round(self.peak_mb, 1),
            "cpu_median_s": _round(self.cpu_median),
            "inner_median_s": _round(self.inner_median), "exit_codes": self.exit_codes, "output": self.output,
            "load_before": self.load,
        }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def user_environment(**values: str) -> dict[str, str]:
    """The environment a user's command runs in: this one with `values`, PYTHONDONTWRITEBYTECODE
    cleared, the bytecode kept under one folder of the temporary directory.

    `pip install` compiles a package's modules and an editable install writes their bytecode at
    the first run, so a user's command never compiles its source. A machine that sets
    PYTHONDONTWRITEBYTECODE (this project's CI and work machines do) makes every run compile
    every module again: on 2026-12-02, `show` at 100,000 requests took 0.19-0.25 s that way and
    0.12-0.18 s with its bytecode. REQTRACK_BENCH_NO_BYTECODE=1 times the compiling runs."""
    env = {**os.environ, **values}
    if env.get("REQTRACK_BENCH_NO_BYTECODE") == "1":
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
        return env
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "reqtrack-bench-pycache"))
    return env


def reqtrack_command() -> list[str]:
    """The installed `reqtrack` beside this Python, else on PATH, else `python -m reqtrack.cli`."""
    exe = shutil.which("reqtrack", path=str(Path(PYTHON).parent)) or shutil.which("reqtrack")
    return [exe] if exe else [PYTHON, "-m", "reqtrack.cli"]


# Linux carries a parent's peak memory into a child's ru_maxrss (recorded when the child, still
# sharing or copying the parent's memory map, calls exec), so wait4 would report at least this
# harness's own ~20 MB for every command. GNU time forks the command from its own small process
# and reports the command's true peak; without it the wait4 figure is used (a floor, said so).
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_once(argv: list[str], env: dict[str, str], timeout: float) -> tuple[float, int, int, bytes, str, float]:
    """(wall seconds, peak RSS in KiB, exit code, stdout, stderr, CPU seconds) of one process.

    The CPU seconds (user + system, from wait4) hardly depend on what else the machine runs;
    the wall time does, so both are kept."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as rss:
        command = [GNU_TIME, "-f", "%M", "-o", rss.name, *argv] if GNU_TIME else argv
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.002)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
        out.seek(0)
        err.seek(0)
        peak_kb = usage.ru_maxrss
        if GNU_TIME:
            lines = rss.read().split()  # "Command exited with non-zero status 1" may come first
            if lines and lines[-1].isdigit():
                peak_kb = int(lines[-1])
        return (elapsed, peak_kb, process.returncode, out.read(), err.read().decode("utf-8", "replace"),
                usage.ru_utime + usage.ru_stime)


def loadavg() -> str:
    """The 1, 5 and 15-minute load averages, as `uptime` shows them."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(m: Measurement, env: dict[str, str], repeats: int, warmup: int, ok_codes: tuple[int, ...] = (0,),
            before: Any = None, timeout: float = 900, inner: bool = False, slow_after: float = 15.0,
            slow_repeats: int = 3) -> Measurement:
    """Warm up, then time `repeats` runs; `before()` runs untimed before each (e.g. remove a file).

    A command whose first run takes longer than `slow_after` seconds gets `slow_repeats` timed
    runs instead (its median is just as meaningful and the whole benchmark stays under an hour).
    """
    last_out = b""
    m.load = loadavg()
    total = warmup + repeats
    index = 0
    while index < total:
        if before is not None:
            before()
        seconds, peak_kb, code, stdout, stderr, cpu = run_once(m.argv, env, timeout)
        if code not in ok_codes:
            first = (stderr.strip().splitlines() or [f"exit {code}"])[-1]
            m.status = f"failed: exit {code}: {first[:200]}"
            return m
        if index == 0 and seconds > slow_after:
            total = min(total, warmup + slow_repeats)
        if index >= warmup:
            m.seconds.append(seconds)
            m.peak_kb.append(peak_kb)
            m.cpu_seconds.append(cpu)
            m.exit_codes.append(code)
            if inner:
                m.inner_seconds.append(json.loads(stdout)["seconds"])
        last_out = stdout
        index += 1
    m.output["stdout_bytes"] = len(last_out)
    if inner:
        m.output.update({k: v for k, v in json.loads(last_out).items() if k != "seconds"})
    elif last_out[:1] in (b"[", b"{"):
        data = json.loads(last_out)
        m.output["json_items"] = len(data)
    return m


def available(command: str, env: dict[str, str]) -> bool:
    """Whether this reqtrack has the command (its --help succeeds)."""
    result = subprocess.run([*reqtrack_command(), command, "--help"], env=env, capture_output=True, timeout=60)
    return result.returncode == 0


def ensure_database(n: int, db_dir: Path, jobs: int, rebuild: bool,
                    shape: tuple[float, float] | None = None) -> tuple[Path, dict[str, Any]]:
    """The benchmark database of N requests (built by bench/build_db.py when missing); `shape`
    (open share, overdue share) builds one of that shape instead of the realistic one."""
    path = db_dir / (f"reqtrack-{n}.db" if shape is None else f"reqtrack-{n}-open{round(shape[0] * 100)}"
                     f"-overdue{round(shape[1] * 100)}.db")
    meta_file = path.with_name(path.name + ".meta.json")
    if rebuild or not path.exists() or not meta_file.exists():
        print(f"building {path} ...", file=sys.stderr, flush=True)
        extra = [] if shape is None else ["--open-share", str(shape[0]), "--overdue-share", str(shape[1])]
        subprocess.run([PYTHON, str(BENCH / "build_db.py"), str(n), "--out", str(path), "--force", "--jobs", str(jobs),
                        "--quiet", *extra], check=True, stdout=subprocess.DEVNULL)
    return path, json.loads(meta_file.read_text())


def server_schema(base: str, schema: str) -> str:
    """The URL of `schema` on the server of `base`."""
    return f"{base}{'&' if '?' in base else '?'}schema={schema}"


def drop_schema(base: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def copy_to_server(db: Path, url: str, env: dict[str, str]) -> None:
    """The built file's data on the server (reqtrack copy, all or nothing, verified)."""
    subprocess.run([*reqtrack_command(), "--db", str(db), "copy", url, "--force"], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def on_server(n: int, db: Path, args: argparse.Namespace, env: dict[str, str]) -> str:
    """The server's copy of the benchmark database of N requests (made when missing)."""
    import psycopg

    schema = f"bench_{n}"
    with psycopg.connect(args.pg) as conn:
        present = conn.execute("SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'request'",
                               (schema,)).fetchone() is not None
    url = server_schema(args.pg, schema)
    if args.rebuild or not present:
        print(f"copying {db} to the server ({schema}) ...", file=sys.stderr, flush=True)
        copy_to_server(db, url, env)
    return url


def bench_size(n: int, args: argparse.Namespace, results: dict[str, Any]) -> dict[str, Measurement]:
    db, meta = ensure_database(n, args.db_dir, args.build_jobs, args.rebuild)
    work = Path(tempfile.mkdtemp(prefix=f"reqtrack-bench-{n}-", dir=args.db_dir))
    env = user_environment(REQTRACK_DB=str(db), REQTRACK_NOW=meta["now"], TZ=meta["timezone"], REQTRACK_USER="bench")
    server = args.engine == "postgres"
    if server:
        env["REQTRACK_DB"] = on_server(n, db, args, env)
    for name in ("REQTRACK_LANG", "REQTRACK_DEBUG"):
        env.pop(name, None)
    rt = reqtrack_command()
    sample = meta["sample_ids"].get("longest_history") or next(iter(meta["sample_ids"].values()))
    fast, slow = (args.repeats, args.warmup), (args.excel_repeats, args.excel_warmup)
    out: dict[str, Measurement] = {}
    say = lambda text: print(f"[{n:,}] {text}", file=sys.stderr, flush=True)  # noqa: E731

    def skipped(name: str) -> bool:
        """--skip names a command by its first word (`list` is both list rows) or in full."""
        return name in args.skip or name.split()[0] in args.skip

    def add(m: Measurement, repeats_warmup: tuple[int, int], **kwargs: Any) -> None:
        if skipped(m.name):
            skip(m.name, m.argv, "--skip")
            return
        say(m.name + " ...")
        out[m.name] = measure(m, env if "env" not in kwargs else kwargs.pop("env"), *repeats_warmup, **kwargs)
        say(f"{m.name}: {out[m.name].status}, median {_round(out[m.name].median, 3)} s, peak {_round(out[m.name].peak_mb, 1)} MB")

    def skip(name: str, argv: list[str], why: str) -> None:
        out[name] = Measurement(name, argv, status=f"skipped: {why}")
        say(f"{name}: skipped: {why}")

    add(Measurement("python -c pass", [PYTHON, "-c", "pass"]), fast)
    add(Measurement("python -c 'import sqlmodel'", [PYTHON, "-c", "import sqlmodel"]), fast)
    add(Measurement("--help", [*rt, "--help"]), fast)
    # `new` writes: it runs on a copy, so the reused database stays exactly as built.
    scratch = work / "scratch.db"
    scratch_location = server_schema(args.pg, f"bench_{n}_scratch") if server else str(scratch)
    if not skipped("new"):
        if server:
            copy_to_server(db, scratch_location, env)
        else:
            shutil.copyfile(db, scratch)
    new_argv = [*rt, "new", "基准测试：客户反馈导出报表很慢 / benchmark request", "--customer", "Benchmark Co",
                "--source", "email", "--priority", "medium"]
    add(Measurement("new", new_argv), fast, env={**env, "REQTRACK_DB": scratch_location})
    scratch.unlink(missing_ok=True)
    if server and not skipped("new"):
        drop_schema(args.pg, f"bench_{n}_scratch")
    add(Measurement("show", [*rt, "show", sample]), fast)
    add(Measurement("list", [*rt, "list"]), fast)
    add(Measurement("list --open --format json", [*rt, "list", "--open", "--format", "json"]), fast)
    if available("overdue", env):
        add(Measurement("overdue --json", [*rt, "overdue", "--json"]), fast, ok_codes=(0, 1))
    else:
        skip("overdue --json", [*rt, "overdue", "--json"], "not available")
    report_argv = [*rt, "report", "--period", "year", "--json"]  # this year up to `now`
    if available("report", env):
        add(Measurement("report --period year --json", report_argv), fast)
    else:
        skip("report --period year --json", report_argv, "not available")

    # Excel: reqtrack's export and import next to openpyxl alone on the same rows and file.
    sheet = work / "export.xlsx"
    base_sheet = work / "baseline.xlsx"
    export_argv = [*rt, "export", str(sheet)]
    import_db = work / "imported.db"
    import_argv = [*rt, "import", str(sheet)]
    if n > args.excel_max:
        for name, argv in (("openpyxl write-only loop", []), ("export xlsx", export_argv),
                           ("openpyxl read-only pass", []), ("import xlsx", import_argv)):
            skip(name, argv, f"{n:,} rows is above --excel-max {args.excel_max:,}")
    else:
        add(Measurement("openpyxl write-only loop", [PYTHON, str(BENCH / "baseline_xlsx.py"), "write", str(db), str(base_sheet)]),
            slow, inner=True)
        if available("export", env):
            add(Measurement("export xlsx", export_argv), slow, before=lambda: sheet.unlink(missing_ok=True))
        else:
            skip("export xlsx", export_argv, "not available")
        source = sheet if sheet.exists() else base_sheet  # import reads reqtrack's own sheet when there is one
        import_argv = [*rt, "import", str(source)]
        if source.exists():
            add(Measurement("openpyxl read-only pass", [PYTHON, str(BENCH / "baseline_xlsx.py"), "read", str(source)]),
                slow, inner=True)
        else:
            skip("openpyxl read-only pass", [], "no sheet was written")
        if available("import", env) and source.exists():
            def empty_database() -> None:
                if server:
                    drop_schema(args.pg, f"bench_{n}_import")
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{import_db}{suffix}").unlink(missing_ok=True)

            import_location = server_schema(args.pg, f"bench_{n}_import") if server else str(import_db)
            add(Measurement("import xlsx", import_argv), slow, before=empty_database,
                env={**env, "REQTRACK_DB": import_location})
            if server:
                drop_schema(args.pg, f"bench_{n}_import")
            elif import_db.exists():
                conn = sqlite3.connect(import_db)
                out["import xlsx"].output["requests_in_database"] = conn.execute("SELECT count(*) FROM request").fetchone()[0]
                conn.close()
        else:
            skip("import xlsx", import_argv, "not available" if source.exists() else "no sheet to import")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    results["sizes"][str(n)] = {"meta": meta, "commands": {name: m.to_json() for name, m in out.items()}}
    return out


def verdict(name: str, n: int, ms: dict[str, Measurement]) -> tuple[str, str]:
    """(target text, met/not met/-) of a command at size n."""
    target = TARGETS.get(name)
    m = ms.get(name)
    if target is None or m is None or m.median is None:
        return ("", "")
    if "seconds" in target:
        limits = target["seconds"]
        if n not in limits:
            return (f"≤ {limits[100_000]:g} s at 100k" if 100_000 in limits else "", "")
        limit = limits[n]
        return (f"≤ {limit:g} s", "met" if m.median <= limit else f"NOT met ({m.median / limit:.1f}×)")
    base = ms.get(target["baseline"])
    texts, ok = [f"≤ {target['ratio']:g}× baseline, ≤ {target['peak_mb']} MB"], True
    if base is None or base.inner_median is None:
        return (texts[0], "no baseline")
    ratio = m.median / base.inner_median
    problems = []
    if ratio > target["ratio"]:
        ok = False
        problems.append(f"{ratio:.2f}× baseline")
    if (m.peak_mb or 0) > target["peak_mb"]:
        ok = False
        problems.append(f"{m.peak_mb:.0f} MB")
    return (texts[0], "met" if ok else "NOT met (" + ", ".join(problems) + ")")


def markdown(results: dict[str, Any], all_ms: dict[int, dict[str, Measurement]]) -> str:
    """The figures as Markdown: one table per size, baselines first."""
    lines = []
    machine = results["machine"]
    lines.append(f"reqtrack benchmark — {machine['date']}, {machine['cpus']} CPUs ({machine['platform']}), "
                 f"Python {machine['python']}, SQLite {machine['sqlite']}, "
                 + ", ".join(f"{k} {v}" for k, v in machine["packages"].items()))
    lines.append("")
    lines.append(f"Load average (1, 5, 15 min) at start {machine['loadavg_start']}, at end {results.get('loadavg_end')}.")
    for n, ms in all_ms.items():
        meta = results["sizes"][str(n)]["meta"]
        lines.append("")
        lines.append(f"### {n:,} requests ({meta['open']:,} open, {meta['events']:,} history entries, "
                     f"{meta['bytes'] / 1e6:.0f} MB file)")
        lines.append("")
        lines.append("| command | median s | min–max s | CPU s | peak MB | load before | vs baseline | target | result |")
        lines.append("|---|---:|---:|---:|---:|---:|---|---|---|")
        sqlmodel = ms.get("python -c 'import sqlmodel'")
        sqlmodel_s = sqlmodel.median if sqlmodel is not None else None
        for name, m in ms.items():
            if m.median is None:
                lines.append(f"| `{name}` | {m.status} | | | | | | | |")
                continue
            timed = m.inner_seconds or m.seconds  # a baseline script times only openpyxl's own work
            seconds = statistics.median(timed)
            ratio = ""
            if name in ("export xlsx", "import xlsx"):
                base = ms.get(TARGETS[name]["baseline"])
                if base is not None and base.inner_median:
                    ratio = f"{m.median / base.inner_median:.2f}× {TARGETS[name]['baseline']}"
            elif not name.startswith(("python", "openpyxl")) and sqlmodel_s:
                ratio = f"{m.median / sqlmodel_s:.2f}× import sqlmodel"
            target, result = verdict(name, n, ms)
            shown_name = name + (" (timed part)" if m.inner_seconds else "")
            spread = f"{min(timed):.3f}–{max(timed):.3f}"
            cpu = f"{m.cpu_median:.2f}" if m.cpu_median is not None and not m.inner_seconds else ""
            load = m.load.split()[0] if m.load else ""
            lines.append(f"| `{shown_name}` | {seconds:.3f} | {spread} | {cpu} | {m.peak_mb:.0f} | {load} | {ratio} | "
                         f"{target} | {result} |")
    return "\n".join(lines) + "\n"


def machine_info() -> dict[str, Any]:
    from importlib import metadata

    packages = {}
    for name in ("reqtrack", "typer", "rich", "sqlmodel", "SQLAlchemy", "pydantic", "openpyxl", "holidays"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = "absent"
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "cpus": os.cpu_count(),
        "platform": platform.platform(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "packages": packages, "loadavg_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "reqtrack_command": " ".join(reqtrack_command()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated request counts (default 10000,100000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per command (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument("--excel-repeats", type=int, default=3, help="timed runs of export/import and their baselines")
    parser.add_argument("--excel-warmup", type=int, default=0)
    parser.add_argument("--excel-max", type=int, default=100_000, help="largest size that runs export/import")
    parser.add_argument("--db-dir", type=Path, default=Path("/tmp/reqtrack-bench"), help="where databases are built")
    parser.add_argument("--build-jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--rebuild", action="store_true", help="build the databases again")
    parser.add_argument("--out", type=Path, default=Path("bench-results.json"), help="JSON results (default ./bench-results.json)")
    parser.add_argument("--markdown", type=Path, help="also write the Markdown table to this file")
    parser.add_argument("--keep", action="store_true", help="keep the exported sheets and imported databases")
    parser.add_argument("--skip", default="", help="commands to leave out, e.g. new,report (first word or full name)")
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite",
                        help="run the commands on the file (default) or on the PostgreSQL server of --pg")
    parser.add_argument("--pg", default=os.environ.get("REQTRACK_BENCH_PG", "postgresql://root@127.0.0.1:5432/test"),
                        help="the server for --engine postgres")
    args = parser.parse_args(argv)
    args.skip = {name.strip() for name in args.skip.split(",") if name.strip()}
    args.db_dir.mkdir(parents=True, exist_ok=True)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    results: dict[str, Any] = {"machine": machine_info(), "engine": args.engine, "sizes": {}, "targets": TARGETS}
    all_ms: dict[int, dict[str, Measurement]] = {}
    for n in sizes:
        all_ms[n] = bench_size(n, args, results)
    results["loadavg_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    for n, ms in all_ms.items():
        for name in ms:
            target, result = verdict(name, n, ms)
            if target:
                results["sizes"][str(n)]["commands"][name].update({"target": target, "result": result})
    table = markdown(results, all_ms)
    print(table)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str) + "\n")
    if args.markdown:
        args.markdown.write_text(table)
    print(f"results: {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

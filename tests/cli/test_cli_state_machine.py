"""Random command sequences against a real database, checked after every step against a model
small enough to be obviously right: each request's status, history length and notes.

Hypothesis picks the commands (new, classify, assign, progress, progress --done, verify --pass,
verify --fail, close, cancel, reopen, edit) and the request each applies to — including
commands that the request's status must refuse. A refused command must exit 2 with one sentence
and change nothing; an accepted one must move the status as SPEC §3 says and add exactly one
history entry. After every step the database file must agree with the model about every
request (status, history length and numbering, notes, completion and closing times); at the
end `list --format json` and `reqtrack check` must agree with it too.

Half the machine's steps take a request's usual next step, so runs reach closed and back; and
a plain test below tries every command from every status once, so no cell of the table depends
on what Hypothesis happens to draw.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, precondition, rule
from typer.testing import CliRunner

from reqtrack.cli import app

OPEN = {"pending", "in-progress", "verifying"}
# (command, statuses it runs from, status it leaves or None for unchanged) — SPEC §3, restated
# here on purpose instead of imported, so that the model does not share a bug with the code.
RULES: dict[str, tuple[set[str], str | None]] = {
    "classify": ({"pending", "in-progress"}, None),
    "assign": ({"pending", "in-progress"}, "in-progress"),
    "progress": ({"pending", "in-progress"}, None),
    "progress --done": ({"in-progress"}, "verifying"),
    "verify --pass": ({"verifying"}, "done"),
    "verify --fail": ({"verifying"}, "in-progress"),
    "close": ({"done"}, "closed"),
    "cancel": (OPEN, "cancelled"),
    "reopen": ({"done", "closed"}, "in-progress"),
    "edit": ({"pending", "in-progress", "verifying", "done"}, None),
}


@dataclass
class Modelled:
    """What the model knows of one request."""

    status: str = "pending"
    history: int = 1
    has_priority: bool = False
    notes: str | None = None
    completed: bool = False  # has an actual completion time


class CommandSequences(RuleBasedStateMachine):
    """One fresh database per run; the clock moves a minute per step."""

    requests = Bundle("requests")

    def __init__(self) -> None:
        super().__init__()
        self._folder: Path | None = None  # made at the first command: Hypothesis may build machines it never runs
        self.runner = CliRunner()
        self.now = datetime(2025, 3, 14, 9, 30, tzinfo=timezone.utc)
        self.model: dict[str, Modelled] = {}

    @property
    def db(self) -> Path:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="reqtrack-sm-"))
        return self._folder / "reqtrack.db"

    def reqtrack(self, *args: str) -> Any:
        self.now += timedelta(minutes=1)
        return self.runner.invoke(app, list(args), env={"REQTRACK_DB": str(self.db), "REQTRACK_NOW": self.now.isoformat(),
                                                        "REQTRACK_USER": "machine"})

    def teardown(self) -> None:
        try:
            if self.model:
                listed = self.reqtrack("list", "--format", "json")
                assert listed.exit_code == 0, listed.stderr
                shown = {row["id"]: (row["status"], len(row["history"])) for row in json.loads(listed.stdout)}
                assert shown == {rid: (m.status, m.history) for rid, m in self.model.items()}
                result = self.reqtrack("check", "--json")
                assert result.exit_code == 0, result.stdout
                report = json.loads(result.stdout)
                assert report["counts"]["requests"] == len(self.model)
                assert report["counts"]["events"] == sum(m.history for m in self.model.values())
        finally:
            if self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)

    # -- the commands ---------------------------------------------------------------------
    @initialize(target=requests)
    def first_request(self) -> Any:
        """Every run starts with a request, so no step is wasted waiting for the first `new`."""
        return self.new("high", "first request")

    # Two live requests at most, so that steps reach deep statuses; a new one when one is cancelled.
    @precondition(lambda self: sum(m.status != "cancelled" for m in self.model.values()) < 2 and len(self.model) < 6)
    @rule(target=requests, priority=st.sampled_from([None, "high", "低"]),
          description=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30))
    def new(self, priority: str | None, description: str) -> str:
        args = ["new", "--customer", "ACME"] + (["--priority", priority] if priority else [])
        text = description if description.strip() and description != "-" else "plain words"
        result = self.reqtrack(*args, "--", text)
        assert result.exit_code == 0, result.stderr
        request_id = result.stdout.strip()
        assert request_id not in self.model  # never an ID twice
        self.model[request_id] = Modelled(has_priority=priority is not None)
        return request_id

    def attempt(self, command: str, request_id: str, *args: str, refused_anyway: bool = False,
                notes: str | None = None) -> None:
        """Run `command`; the model says whether it must be accepted and what it leaves."""
        modelled = self.model[request_id]
        allowed_from, to = RULES[command]
        accepted = modelled.status in allowed_from and not refused_anyway
        event(f"{command} on {modelled.status}: {'accepted' if accepted else 'refused'}")
        result = self.reqtrack(*command.split()[:1], request_id, *args)
        if accepted:
            assert result.exit_code == 0, (command, modelled, result.stderr)
            modelled.status = to or modelled.status
            modelled.history += 1
            if command == "classify":
                modelled.has_priority = True
            if notes is not None:
                modelled.notes = notes
            if command == "progress --done":
                modelled.completed = True
            elif command in ("verify --fail", "reopen"):
                modelled.completed = False  # the work is not finished after all
            # (cancel keeps a completion time: work finished, then the customer withdrew)
        else:
            assert result.exit_code == 2, (command, modelled, result.exit_code, result.stdout, result.stderr)
            assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
            assert request_id in result.stderr

    # One runner per command; `step` below decides which runs.
    def classify(self, request_id: str, priority: str) -> None:
        self.attempt("classify", request_id, "--priority", priority)

    def assign(self, request_id: str, owner: str) -> None:
        # Assigning needs a priority first (refused with a hint otherwise).
        self.attempt("assign", request_id, "--owner", owner, refused_anyway=not self.model[request_id].has_priority)

    def progress(self, request_id: str, done: bool) -> None:
        if done:
            self.attempt("progress --done", request_id, "finished", "--done")
        else:
            self.attempt("progress", request_id, "called the customer")

    def verify(self, request_id: str, passed: bool) -> None:
        if passed:
            self.attempt("verify --pass", request_id, "--pass", "--satisfaction", "satisfied")
        else:
            self.attempt("verify --fail", request_id, "--fail", "--note", "still slow")

    def close(self, request_id: str) -> None:
        self.attempt("close", request_id)

    def cancel(self, request_id: str) -> None:
        self.attempt("cancel", request_id, "--reason", "customer withdrew it")

    def reopen(self, request_id: str) -> None:
        self.attempt("reopen", request_id, "--reason", "it happened again")

    def edit(self, request_id: str, notes: str) -> None:
        # Setting the notes they already have changes nothing, which edit refuses (exit 2).
        unchanged = self.model[request_id].notes == notes
        self.attempt("edit", request_id, "--notes", notes, refused_anyway=unchanged, notes=notes)

    def run(self, command: str, request_id: str, data: st.DataObject) -> None:
        if command == "classify":
            self.classify(request_id, data.draw(st.sampled_from(["high", "medium", "low"])))
        elif command == "assign":
            self.assign(request_id, data.draw(st.sampled_from(["Li", "王工", "O'Brien"])))
        elif command.startswith("progress"):
            self.progress(request_id, done=command.endswith("--done"))
        elif command.startswith("verify"):
            self.verify(request_id, passed=command.endswith("--pass"))
        elif command == "edit":
            self.edit(request_id, data.draw(st.sampled_from(["call back Monday", "见附件", "\"quoted\"\nnext line"])))
        else:
            getattr(self, command)(request_id)

    @rule(request_id=requests, data=st.data())
    def step(self, request_id: str, data: st.DataObject) -> None:
        """One command on one request. Chosen uniformly from all commands, most would be refused
        once a request is past `pending`, and few runs would reach closed and back; so half the
        steps take the usual next step, a quarter any step the status allows, and a quarter any
        command at all (refusals included)."""
        modelled = self.model[request_id]
        forward = {
            "pending": ["assign"] if modelled.has_priority else ["classify"],
            "in-progress": ["progress --done", "progress"],
            "verifying": ["verify --pass", "verify --fail"],
            "done": ["close", "reopen"],
            "closed": ["reopen"],
            "cancelled": [],
        }[modelled.status]
        allowed = [command for command, (statuses, _) in RULES.items() if modelled.status in statuses]
        kind = data.draw(st.sampled_from(["forward", "forward", "allowed", "any"]))
        choices = {"forward": forward, "allowed": allowed}.get(kind) or list(RULES)
        self.run(data.draw(st.sampled_from(choices)), request_id, data)

    @precondition(lambda self: bool(self.model))
    @rule()
    def unknown_id(self) -> None:
        result = self.reqtrack("close", "209912-999")
        assert result.exit_code == 2 and "209912-999" in result.stderr

    # -- after every step -------------------------------------------------------------------
    @invariant()
    def database_matches_model(self) -> None:
        """Every request in the file against the model (read with SQL: a `list` per step would
        cost more than the step itself)."""
        if not self.model:
            return
        conn = sqlite3.connect(self.db)
        try:
            rows = conn.execute(
                "SELECT id, status, notes, completed_at IS NOT NULL, closed_at IS NOT NULL, "
                "(SELECT count(*) FROM event WHERE request_id = request.id), "
                "(SELECT max(seq) FROM event WHERE request_id = request.id) FROM request"
            ).fetchall()
        finally:
            conn.close()
        assert {row[0] for row in rows} == set(self.model)
        for request_id, status, notes, completed, closed, entries, last_seq in rows:
            modelled = self.model[request_id]
            assert (status, entries, notes) == (modelled.status, modelled.history, modelled.notes), request_id
            assert last_seq == entries, request_id  # numbered 1..n without gaps
            assert completed == modelled.completed, request_id
            assert closed == (status == "closed"), request_id


# No shrinking: each step runs a real command, so shrinking a failure could take many minutes;
# the failing sequence (at most 25 steps) is printed as generated and is readable as it is.
CommandSequences.TestCase.settings = settings(max_examples=15, stateful_step_count=25, deadline=None,
                                              phases=[Phase.explicit, Phase.reuse, Phase.generate])
test_random_command_sequences_match_the_model = CommandSequences.TestCase


# -- every command from every status, once (deterministic; the machine above samples) -------------
COMMAND_ARGS: dict[str, tuple[str, ...]] = {
    "classify": ("--priority", "low"),
    "assign": ("--owner", "Li"),
    "progress": ("called the customer",),
    "progress --done": ("finished", "--done"),
    "verify --pass": ("--pass",),
    "verify --fail": ("--fail", "--note", "still slow"),
    "close": (),
    "cancel": ("--reason", "withdrawn"),
    "reopen": ("--reason", "again"),
    "edit": ("--notes", "a new note"),
}
# How to bring a new request (registered with a priority) to each status.
PATHS: dict[str, tuple[str, ...]] = {
    "pending": (),
    "in-progress": ("assign",),
    "verifying": ("assign", "progress --done"),
    "done": ("assign", "progress --done", "verify --pass"),
    "closed": ("assign", "progress --done", "verify --pass", "close"),
    "cancelled": ("cancel",),
}


def test_every_command_from_every_status_follows_the_table(tmp_path: Path) -> None:
    """60 (command, status) pairs through the CLI: allowed ones move the status as RULES says and
    add one history entry, refused ones exit 2 and change nothing."""
    runner = CliRunner()
    minutes = iter(range(1, 10_000))

    def reqtrack(db: Path, *args: str) -> Any:
        now = datetime(2025, 3, 14, 9, 30, tzinfo=timezone.utc) + timedelta(minutes=next(minutes))
        return runner.invoke(app, list(args), env={"REQTRACK_DB": str(db), "REQTRACK_NOW": now.isoformat()})

    base = tmp_path / "base.db"
    at_status: dict[str, str] = {}
    for status, path in PATHS.items():
        request_id = reqtrack(base, "new", "--customer", "ACME", "--priority", "high", "walk").stdout.strip()
        for command in path:
            result = reqtrack(base, command.split()[0], request_id, *COMMAND_ARGS[command])
            assert result.exit_code == 0, (status, command, result.stderr)
        at_status[status] = request_id
    shown_before = {status: json.loads(reqtrack(base, "show", request_id, "--json").stdout)
                    for status, request_id in at_status.items()}
    for command, args in COMMAND_ARGS.items():
        db = tmp_path / f"{command.replace(' ', '')}.db"
        source, target = sqlite3.connect(base), sqlite3.connect(db)
        source.backup(target)
        source.close(), target.close()
        allowed_from, to = RULES[command]
        for status, request_id in at_status.items():
            before = shown_before[status]
            assert before["status"] == status
            result = reqtrack(db, command.split()[0], request_id, *args)
            after = json.loads(reqtrack(db, "show", request_id, "--json").stdout)
            if status in allowed_from:
                assert result.exit_code == 0, (command, status, result.stderr)
                assert after["status"] == (to or status), (command, status)
                assert len(after["history"]) == len(before["history"]) + 1, (command, status)
            else:
                assert result.exit_code == 2, (command, status, result.stdout)
                assert after == before, (command, status)
                # The sentence the user reads names the request, its status and the command refused.
                lines = result.stderr.strip().splitlines()
                assert len(lines) == 1 and "Traceback" not in result.stderr, (command, status, result.stderr)
                assert f"request {request_id} is" in lines[0] and f"({status})" in lines[0], (command, lines[0])
                assert f"`{command}` cannot run; " in lines[0], (command, lines[0])

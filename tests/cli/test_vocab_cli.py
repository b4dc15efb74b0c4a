"""`reqtrack vocab` and the commands that take a source or a type, as a user types them (issue 17),
on both engines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import NOW_TEXT, reqtrack_command


def complaint(cli) -> None:
    added = cli("vocab", "add", "type", "complaint", "--en", "Complaint", "--zh-CN", "投诉类", "--zh-TW", "投訴類",
                "--alias", "投诉", "--dept", "客服部")
    assert added.exit_code == 0, added.output
    assert "added type complaint: Complaint / 投诉类 / 投訴類; aliases: 投诉; → 客服部" in added.stdout


def test_the_names_a_new_user_types_are_taken(cli) -> None:
    first = cli("new", "希望增加批量导出功能", "--customer", "科技有限公司", "--type", "新功能", "--source", "在线表单")
    assert first.exit_code == 0, first.output
    second = cli("new", "微信上说的", "--customer", "ACME", "--source", "微信", "--type", "改进", "--json")
    shown = json.loads(second.stdout)
    assert (shown["source"], shown["type"]) == ("social", "improvement")
    shown = json.loads(cli("show", first.stdout.strip(), "--json").stdout)
    assert (shown["source"], shown["type"]) == ("online-form", "feature")


def test_done_means_add_a_complaint_register_and_route_it(cli) -> None:
    complaint(cli)
    created = cli("new", "客服态度差", "--customer", "华信银行", "--type", "投诉", "--priority", "high")
    assert created.exit_code == 0, created.output
    request_id = created.stdout.strip()
    assigned = cli("--lang", "zh-CN", "assign", request_id, "--owner", "王芳")
    assert assigned.exit_code == 0, assigned.output
    assert "根据需求类型（投诉类）分配至对应处理部门：客服部" in assigned.stdout
    shown = json.loads(cli("show", request_id, "--json").stdout)
    assert (shown["type"], shown["department"], shown["owner"]) == ("complaint", "客服部", "王芳")
    screen = cli("--lang", "zh-TW", "show", request_id).stdout
    assert "投訴類" in screen and "客服部/王芳" in screen
    english = cli("assign", request_id, "--owner", "Li")
    assert "department 客服部: routed by the request's type Complaint" in english.stdout
    explicit = cli("assign", request_id, "--owner", "Li", "--dept", "法务部")
    assert explicit.exit_code == 0 and "routed" not in explicit.stdout


def test_an_unknown_type_under_zh_cn_lists_the_chinese_labels(cli) -> None:
    complaint(cli)
    refused = cli("--lang", "zh-CN", "new", "x", "--customer", "ACME", "--type", "特急类")
    assert refused.exit_code == 2
    message = refused.stderr
    assert message.startswith("reqtrack: 无效的需求类型「特急类」；可用：") and len(message.strip().splitlines()) == 1
    for text in ("功能优化 (improvement)", "新功能开发 (feature)", "投诉类 (complaint)", "vocab add type"):
        assert text in message
    assert "New feature" not in message
    english = cli("new", "x", "--customer", "ACME", "--source", "传真")
    assert english.exit_code == 2 and "online-form (Online form, 线上表单)" in english.stderr


def test_conflicts_exit_2_and_change_nothing(cli) -> None:
    complaint(cli)
    before = cli("vocab", "show", "--json").stdout
    for args in (["vocab", "add", "type", "complaint", "--zh-CN", "又一个"],
                 ["vocab", "add", "type", "gripe", "--zh-CN", "投诉"],
                 ["vocab", "add", "type", "gripe", "--en", "BUG FIX"],
                 ["vocab", "add", "type", "Gripe", "--en", "Gripe"],
                 ["vocab", "edit", "type", "feature", "--alias", "投诉类"],
                 ["vocab", "add", "priority", "urgent", "--en", "Urgent"]):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith("reqtrack: ") and "Traceback" not in result.output
    assert cli("vocab", "show", "--json").stdout == before


def test_retire_and_restore_a_source(cli) -> None:
    cli("vocab", "add", "source", "dingtalk", "--en", "DingTalk", "--zh-CN", "钉钉", "--zh-TW", "釘釘")
    old = cli("new", "钉钉群里提的", "--customer", "ACME", "--source", "钉钉").stdout.strip()
    retired = cli("vocab", "retire", "source", "钉钉")
    assert retired.exit_code == 0 and "retired source dingtalk (DingTalk)" in retired.stdout and "1 request(s)" in retired.stdout
    refused = cli("new", "again", "--customer", "ACME", "--source", "dingtalk")
    assert refused.exit_code == 2 and "retired" in refused.stderr and "vocab restore source dingtalk" in refused.stderr
    assert "釘釘" in cli("--lang", "zh-TW", "show", old).stdout  # the old one still shows it
    assert [r["id"] for r in json.loads(cli("list", "--source", "钉钉", "--format", "json").stdout)] == [old]
    rows = {row["key"]: row for row in json.loads(cli("vocab", "show", "source", "--json").stdout)}
    assert rows["dingtalk"]["retired"] is True and rows["dingtalk"]["requests"] == 1 and rows["phone"]["built_in"]
    restored = cli("vocab", "restore", "source", "dingtalk")
    assert restored.exit_code == 0 and "restored" in restored.stdout
    assert cli("new", "again", "--customer", "ACME", "--source", "dingtalk").exit_code == 0


def test_vocab_show_lists_keys_labels_aliases_and_state(cli) -> None:
    complaint(cli)
    cli("vocab", "edit", "type", "bug", "--dept", "技术部")
    table = cli("--lang", "zh-CN", "vocab", "show", "type")
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    complaint_line = next(line for line in lines if " complaint " in line)
    assert "投诉类" in complaint_line and "投訴類" in complaint_line and "客服部" in complaint_line and "本库自定义" in complaint_line
    assert "内置（已修改）" in next(line for line in lines if " bug " in line)
    rows = json.loads(cli("vocab", "show", "--json").stdout)
    assert {row["field"] for row in rows} == {"source", "type"}
    bug = next(row for row in rows if row["key"] == "bug")
    assert bug["labels"] == {"en": "Bug fix", "zh-CN": "问题修复", "zh-TW": "問題修復"} and bug["department"] == "技术部"
    assert bug["edited"] is True and "缺陷" in bug["aliases"]


def test_help_lists_the_database_keys(cli, db_path) -> None:
    builtin = cli("new", "--help")
    assert builtin.exit_code == 0 and "feature (New feature, 新功能开发)" in " ".join(builtin.stdout.split())
    assert "complaint" not in builtin.stdout  # no database yet: the built-in entries
    complaint(cli)
    cli("vocab", "retire", "type", "support")
    for command in (["new"], ["classify"], ["list"], ["export"]):
        shown = cli("--lang", "zh-CN", *command, "--help")
        text = " ".join(shown.stdout.split())
        assert shown.exit_code == 0 and "complaint (投诉类)" in text, (command, text)
        assert "support (" not in text  # retired: not offered
    assert "online-form (线上表单)" in " ".join(cli("--lang", "zh-CN", "edit", "--help").stdout.split())


def test_help_of_a_database_that_cannot_be_read_lists_the_built_in_keys(tmp_path: Path) -> None:
    not_a_database = tmp_path / "junk.db"
    not_a_database.write_bytes(b"not sqlite at all" * 10)
    env = {**os.environ, "REQTRACK_DB": str(not_a_database), "REQTRACK_NOW": NOW_TEXT}
    shown = subprocess.run([*reqtrack_command(), "new", "--help"], env=env, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and "feature (New feature" in " ".join(shown.stdout.split()), shown.stderr
    down = {**env, "REQTRACK_DB": "postgresql://nobody@127.0.0.1:1/none"}
    shown = subprocess.run([*reqtrack_command(), "list", "--help"], env=down, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and "online-form (Online form" in " ".join(shown.stdout.split()), shown.stderr
    assert not_a_database.read_bytes() == b"not sqlite at all" * 10


def test_root_help_still_opens_no_database_and_loads_no_services(tmp_path: Path) -> None:
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom reqtrack.cli import app\n"
            "r = CliRunner().invoke(app, ['vocab', '--help'])\nassert r.exit_code == 0, r.output\n"
            "print(','.join(m for m in ('reqtrack.services', 'sqlite3', 'psycopg') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == ""


def test_the_example_sets_up_the_guide_categories_and_routes_a_complaint(tmp_path: Path) -> None:
    from helpers import REPO_ROOT

    command = reqtrack_command()
    bin_dir = str(Path(command[0]).parent) if len(command) == 1 else str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "TMPDIR": str(tmp_path)}
    env.pop("REQTRACK_DB", None)
    ran = subprocess.run(["bash", str(REPO_ROOT / "examples" / "team-vocabulary.sh"), "--demo"], env=env,
                         capture_output=True, text=True, timeout=180)
    assert ran.returncode == 0, ran.stderr
    out = ran.stdout
    for key in ("consult", "suggestion", "complaint", "wecom", "dingtalk", "ticket"):
        assert f"added {'source' if key in ('wecom', 'dingtalk', 'ticket') else 'type'} {key}:" in out, key
    assert "根据需求类型（投诉类）分配至对应处理部门：客户成功部" in out
    assert "无效的需求类型「特急类」" in ran.stderr and "咨询类 (consult)" in ran.stderr

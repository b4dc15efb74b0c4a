"""`--show-completion SHELL` names the shell (a script or a Dockerfile runs in none that can be
detected); a shell reqtrack cannot complete for is refused in one sentence (exit 2)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from reqtrack.cli import app


@pytest.mark.parametrize(("shell", "marker"), [("bash", "complete -o default -F"), ("zsh", "#compdef reqtrack"),
                                               ("fish", "complete --command reqtrack")])
def test_a_named_shell_gets_its_own_script(shell: str, marker: str) -> None:
    result = CliRunner().invoke(app, ["--show-completion", shell], prog_name="reqtrack")
    assert result.exit_code == 0 and marker in result.stdout, result.output


def test_an_unknown_shell_is_refused_in_one_sentence() -> None:
    result = CliRunner().invoke(app, ["--show-completion", "tcsh"], prog_name="reqtrack")
    assert result.exit_code == 2 and "unsupported shell 'tcsh'" in result.stderr

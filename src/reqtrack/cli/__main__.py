"""`python -m reqtrack.cli`: the same as the `reqtrack` command."""

from reqtrack.cli import main

main()

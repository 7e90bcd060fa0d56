"""`python -m roadmap`: the `roadmap` command, where the console script is not on PATH."""
from roadmap.cli import main

main(prog_name="roadmap")

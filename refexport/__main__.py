"""`python -m refexport` is the `refexport` command."""

from refexport.cli import main

main()

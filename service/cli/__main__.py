"""`python -m service.cli` is `registry`."""

from service.cli import main

main()

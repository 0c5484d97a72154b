"""Allow ``python -m civicshield``."""

from civicshield.cli import main

main()

"""Run `python -m directory.staff create-admin --email ...`."""

from directory.staff.cli import main

raise SystemExit(main())

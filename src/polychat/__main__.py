"""`python -m polychat` is the `polychat` command."""

from polychat.cli import main

raise SystemExit(main())

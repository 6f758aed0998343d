"""``python -m core …``: the administration command line (see core.cli)."""

from core.cli import main

raise SystemExit(main())

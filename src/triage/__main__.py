"""``python -m triage``: the same as the ``triage`` command."""
import sys

from ._cli import main

sys.exit(main())

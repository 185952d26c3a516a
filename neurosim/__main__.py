"""``python -m neurosim`` runs the command line."""

import sys

from neurosim.cli import main

sys.exit(main())

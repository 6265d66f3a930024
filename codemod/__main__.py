"""Run gomapfix as `python -m codemod`."""

import sys

from codemod.cli import main

sys.exit(main())

"""`python -m aqua_ext.cli`."""

import sys

from .entry import main

sys.exit(main())

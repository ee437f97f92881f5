"""`python -m aqua_ext.cli`."""

import sys

from .main import main

sys.exit(main())

"""`python -m estool train|model|plot ...`: the `estool` command."""

import sys

from estool.cli.main import main

sys.exit(main())

"""Watch, record or score a saved policy: `python model.py GAME FILE [SEED] [--norender -e 100]`."""

import sys

from estool.cli.model import main

if __name__ == "__main__":
    sys.exit(main())

"""Watch, record or score a saved policy: `python model.py GAME FILE [SEED] [--norender -e 100]`."""

import sys

from estool.watch import model_main

if __name__ == "__main__":
    sys.exit(model_main())

"""Train a policy with an evolution strategy: `python train.py GAME -o cma -e 16 ...`."""

import sys

from estool.cli.train import main

if __name__ == "__main__":
    sys.exit(main())

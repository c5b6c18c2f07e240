import sys

from refuge.matching.cli import main

sys.exit(main())

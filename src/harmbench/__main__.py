import sys

from harmbench.cli.main import main

sys.exit(main())

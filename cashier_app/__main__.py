import sys

from cashier_app.cli import main

sys.exit(main())

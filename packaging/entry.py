"""The frozen program's entry: the same ``cashier-app`` command as the installed package's.

PyInstaller freezes this script; everything else is imported from ``cashier_app``.
"""

import sys

from cashier_app.cli import main

if __name__ == "__main__":
    sys.exit(main())

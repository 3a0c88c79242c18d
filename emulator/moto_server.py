"""moto_server with the patches in emulator/patches/, so the emulator answers as AWS does where Ballast's tests need it.

Usage: python3 moto_server.py -H 127.0.0.1 -p PORT (the same arguments as moto_server). What each patch changes, and
the environment variables and control endpoints it adds, are in emulator/README.md.
"""
import os
import sys

# The patches package sits next to this file; python3 puts this folder on sys.path when it runs the file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from moto.server import main  # noqa: E402

import patches  # noqa: E402,F401  (applies the patches on import)

if __name__ == "__main__":
    main(sys.argv[1:])

"""moto_server with the patches in emulator/patches/, so the emulator answers as AWS does where Ballast's tests need it.

Usage: python3 moto_server.py -H 127.0.0.1 -p PORT (the same arguments as moto_server). What each patch changes, and
the environment variables and control endpoints it adds, are in emulator/README.md.
"""
import atexit
import gc
import os
import signal
import sys
import tempfile

# The patches package sits next to this file; python3 puts this folder on sys.path when it runs the file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# moto's request recorder (/moto-api/recorder/...) writes to ./moto_recording by default, a file that emulators
# running side by side would share. Each emulator records to its own temporary file, removed when it exits (a SIGTERM
# exits through sys.exit so that atexit runs). Set before moto is imported: the recorder reads it once.
if "MOTO_RECORDER_FILEPATH" not in os.environ:
    _fd, _recording = tempfile.mkstemp(prefix="moto-recording-")
    os.close(_fd)
    os.environ["MOTO_RECORDER_FILEPATH"] = _recording
    atexit.register(lambda: os.path.exists(_recording) and os.remove(_recording))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

# The emulator ends with the process that started it, also when that one is killed outright (SIGKILL, a closed
# terminal, an interrupted test run): Linux then sends it SIGTERM, which exits as above. Otherwise it would outlive
# its parent, keep its port and its recording file, and be found running hours later.
if sys.platform == "linux":
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

# moto loads thousands of default machine images into every new EC2 backend, after each reset too: about 0.2 s of CPU
# per test. Ballast runs no EC2 instances.
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

from moto.server import main  # noqa: E402
from werkzeug.serving import WSGIRequestHandler  # noqa: E402

import patches  # noqa: E402,F401  (applies the patches on import)
import keep_alive  # noqa: E402,F401  (connections kept alive between requests, as AWS keeps them)

# werkzeug logs a line per request; a test run makes tens of thousands, and formatting and piping them to the parent
# cost more CPU than some of the requests. Kept only when BALLAST_EMULATOR_LOG_REQUESTS=1, for debugging. The
# "Running on ..." line the parent waits for is logged elsewhere and stays.
if os.environ.get("BALLAST_EMULATOR_LOG_REQUESTS") != "1":
    WSGIRequestHandler.log_request = lambda *_args, **_kwargs: None

# Python's cycle collector walked every object moto and botocore had loaded, tens of times a second under the test
# suite: what is loaded by now is never collected, and the youngest generation is collected every 50,000 allocations
# rather than every 700. About a tenth of the emulator's CPU over six test files (one run each way).
gc.freeze()
gc.set_threshold(50_000, 20, 20)

if __name__ == "__main__":
    main(sys.argv[1:])

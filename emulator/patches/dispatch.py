"""Work moto repeats on every request although its answer never changes while the emulator runs, done once:
- the list of its own modules, in which it looks up the backend of each request, built by listing and stat-ing its
  package folder (about 150 system calls per request);
- the names of a response class's methods, found with inspect.getmembers over the whole class (about 8% of the
  emulator's CPU under a profiler, over six test files)."""
import functools

import moto.backends as backends
import moto.core.responses as responses

_MODULES = tuple(backends.list_of_moto_modules())
backends.list_of_moto_modules = lambda: _MODULES
responses.method_names_from_class = functools.cache(responses.method_names_from_class)

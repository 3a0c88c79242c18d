"""moto looks up the backend of every request in the list of its own modules, which it builds by listing and
stat-ing its package folder each time (about 150 system calls per request). The folder does not change while the
emulator runs: the list is built once."""
import moto.backends as backends

_MODULES = tuple(backends.list_of_moto_modules())
backends.list_of_moto_modules = lambda: _MODULES

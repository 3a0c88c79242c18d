"""The attribute names moto's response serializer tries for each field, worked out once per kind of field.

For every field of every response moto 5.2.1 asks six alias providers, built anew each time, which names the Python
object might hold the field under: about a quarter of the emulator's CPU under a profiler, over six test files. The
answer depends only on the providers, the object's class (aliases are class attributes), the field's name and its
shape in the service model, so it is kept per those. The shape is kept with the answer, so its id is never reused for
another shape.
"""
from moto.core.serialize import XFormedAttributePicker

_possible_keys = XFormedAttributePicker.get_possible_keys
_known: dict = {}


def _get_possible_keys(self, context):
    key = (tuple(self.alias_providers), type(context.obj), context.key, id(context.shape))
    known = _known.get(key)
    if known is None:
        known = _known[key] = (context.shape, tuple(_possible_keys(self, context)))
    return known[1]


XFormedAttributePicker.get_possible_keys = _get_possible_keys

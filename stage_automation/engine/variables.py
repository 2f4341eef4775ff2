"""Variables offered to the texts of rules: pipeline constants and the outputs of earlier rules.

Pure Python, no Odoo import. A template reads them as ``vars['code']`` or
``vars.code``, ``constants['discount']`` or ``constants.discount``.
"""

import re
from collections.abc import Mapping

from .exceptions import UnknownVariable

# A name a template can write after a dot: letters, digits and underscores, starting with a letter.
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# Names taken by the mapping's own methods: ``vars.items`` would not be a variable.
RESERVED = frozenset({"get", "items", "keys", "values"})
NAMESPACES = ("vars", "constants")
# The only expressions that look a variable up, for people without the template editor right.
_LOOKUP = re.compile(
    rf"(?:{'|'.join(NAMESPACES)})"
    rf"(?:\.(?P<attr>{IDENTIFIER.pattern})|\[\s*(?P<quote>['\"])(?P<key>{IDENTIFIER.pattern})(?P=quote)\s*\])")



def is_valid_name(name):
    """Whether ``name`` can be a variable: an identifier starting with a letter, without double underscores,
    not a reserved word."""
    return bool(name and IDENTIFIER.fullmatch(name) and "__" not in name and name not in RESERVED)


def is_lookup(expression):
    """Whether a template expression only reads one variable (``vars['code']``, ``constants.x``)."""
    match = _LOOKUP.fullmatch(expression.strip())
    return bool(match) and is_valid_name(match.group("attr") or match.group("key"))


class Variables(Mapping):
    """Read-only names → values, read as ``ns['name']`` or ``ns.name``; an unknown name raises
    :class:`UnknownVariable` instead of rendering an empty text."""

    def __init__(self, namespace, values):
        """``values``: a mapping, or a function returning one, called when a name is first read (the
        outputs of the earlier rules cost a query that most texts never need)."""
        self._namespace = namespace
        # Private names (a template may not read a name holding "__"): the loader is the run's method.
        self.__load = values if callable(values) else lambda: values
        self.__loaded = None

    @property
    def _values(self):
        if self.__loaded is None:
            self.__loaded = dict(self.__load())
        return self.__loaded

    def __getitem__(self, name):
        try:
            return self._values[name]
        except KeyError:
            raise UnknownVariable(self._namespace, name) from None

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    def __repr__(self):
        return f"{self._namespace}({self._values!r})"


class AnyVariables(Variables):
    """:class:`Variables` where a name it does not hold but that a rule could publish reads as an empty
    text: for checking that a template renders when no stage entry gives the values."""

    def __getitem__(self, name):
        try:
            return super().__getitem__(name)
        except UnknownVariable:
            if is_valid_name(name):
                return ""
            raise

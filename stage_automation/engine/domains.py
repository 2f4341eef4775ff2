"""Conditions of rules and triggers: a domain made of literals only.

A condition is typed by a rule's author and evaluated by the engine with the
author's rights, so it must stay data: field paths, operators and plain
values (text, numbers, booleans, dates, lists of them). Whatever the
expression computed on its way, only such a structure is accepted.
"""

from datetime import date, datetime

from .exceptions import DomainError

OPERATORS = ("&", "|", "!")
LITERAL_TYPES = (str, int, float, bool, date, datetime, type(None))



def check_literal_domain(domain):
    """Return ``domain`` as a list when it is made of literals only.

    :raise DomainError: naming the first element that is not a literal
    """
    if not isinstance(domain, (list, tuple)):
        raise DomainError(f"a condition is a list of criteria, not {type(domain).__name__}")
    for element in domain:
        if isinstance(element, str):
            if element not in OPERATORS:
                raise DomainError(f"“{element}” is not an operator (&, | or !)")
            continue
        if not isinstance(element, (list, tuple)) or len(element) != 3:
            raise DomainError(f"{element!r} is not a criterion (field, operator, value)")
        path, operator, value = element
        if not isinstance(path, (str, int)) or not isinstance(operator, str):
            raise DomainError(f"{element!r} is not a criterion (field, operator, value)")
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if not isinstance(item, LITERAL_TYPES):
                raise DomainError(f"the value of “{path}” is not a plain value ({type(item).__name__})")
    return list(domain)

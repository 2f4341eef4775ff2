"""Every exception of the engine, in one place.

Pure Python, no Odoo import. They are signals between the engine's parts:
the run model turns each into a state and a sentence (see
``models/stage_automation_run_execution.py``), the rule and trigger models
into a ``ValidationError`` when they come from what someone typed.
"""


class StageAutomationError(Exception):
    """Base of the engine's own errors."""


class IllegalTransition(StageAutomationError):  # noqa: N818 - named for what it is, as queue_job's NothingToDoJob
    """A run was asked to move between two states the lifecycle does not link: a bug, never a user's doing."""

    def __init__(self, old, new):
        super().__init__(f"a run cannot go from {old} to {new}")
        self.old = old
        self.new = new


class SkipRun(StageAutomationError):  # noqa: N818 - a signal, not an error
    """Raised by an action to end its run as skipped, with the reason as argument: the rules chained
    after it do not run (e.g. a wait for the client's answer that ended without one)."""


class TimingError(StageAutomationError, ValueError):
    """The settings cannot give a moment (e.g. a calendar without working time, an empty date)."""


class DomainError(StageAutomationError, ValueError):
    """The condition is not a domain of literals."""


class AddressError(StageAutomationError, ValueError):
    """The URL is not called. ``code`` says why (the caller words it), ``address`` is the refused address.

    Codes: ``characters`` (backslash, whitespace or control character),
    ``malformed`` (unreadable, or a port outside 1-65535), ``scheme`` (not
    http or https), ``userinfo`` (a user name or password before ``@``),
    ``host`` (no host name), ``private`` (resolves to a non-public address).
    """

    def __init__(self, code, address=None):
        super().__init__(code, address)
        self.code = code
        self.address = address


class PhoneError(StageAutomationError, ValueError):
    """The text is not a usable phone number."""


class UnknownVariable(StageAutomationError, KeyError):
    """A template reads a variable that nothing has set."""

    def __init__(self, namespace, name):
        super().__init__(name)
        self.namespace = namespace
        self.name = name

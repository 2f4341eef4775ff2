"""The life of a run: its states and the moves allowed between them.

Pure Python, no Odoo import. ``stage.automation.run._set_state`` is the one
place a run changes state, and it asks :func:`check_transition` first: a move
missing from :data:`TRANSITIONS` is a bug of the engine, raised at once
rather than leaving a run in a state nothing will ever take it out of.

::

    (entry) ─► pending ─► running ─► done ─► failed (late: a document printed in the background,
       │          │          │ │                     an SMS or an e-mail that could not be delivered)
       │          ▲          │ ├─► skipped / failed / cancelled
       ├─► waiting┘          │ └─► paused ─► running (the action goes on at its due moment)
       └─► skipped           │
    any open state ─► cancelled (the lead left the stage, someone cancelled it)
"""

from .exceptions import IllegalTransition

PENDING = "pending"
WAITING = "waiting"
RUNNING = "running"
PAUSED = "paused"
DONE = "done"
SKIPPED = "skipped"
CANCELLED = "cancelled"
FAILED = "failed"

STATES = (PENDING, WAITING, RUNNING, PAUSED, DONE, SKIPPED, CANCELLED, FAILED)
# States a run is created in: due at a moment, waiting for the previous rule, or known at once not to run.
INITIAL_STATES = frozenset({PENDING, WAITING, SKIPPED})
# States with work still to do: leaving the stage cancels them.
OPEN_STATES = (PENDING, WAITING, RUNNING, PAUSED)
# States the dispatcher claims once their due moment has come.
DUE_STATES = (PENDING, PAUSED)
FINAL_STATES = (DONE, SKIPPED, CANCELLED, FAILED)

TRANSITIONS = {
    PENDING: frozenset({PENDING, RUNNING, SKIPPED, CANCELLED}),  # pending → pending: moved to a new due moment
    WAITING: frozenset({PENDING, SKIPPED, CANCELLED}),
    RUNNING: frozenset({DONE, SKIPPED, FAILED, CANCELLED, PAUSED}),
    PAUSED: frozenset({PAUSED, RUNNING, CANCELLED}),  # paused → paused: woken earlier, or its wait told again
    DONE: frozenset({FAILED}),
    SKIPPED: frozenset(),
    CANCELLED: frozenset(),
    FAILED: frozenset(),
}


def check_transition(old, new):
    """Return ``new`` when a run in ``old`` may move to it.

    :raise IllegalTransition: when it may not (an unknown state included)
    """
    if new not in TRANSITIONS.get(old, ()):
        raise IllegalTransition(old, new)
    return new


def check_initial(state):
    """Return ``state`` when a run may be created in it.

    :raise IllegalTransition: when it may not
    """
    if state not in INITIAL_STATES:
        raise IllegalTransition(None, state)
    return state

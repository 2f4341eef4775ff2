"""The run lifecycle: which moves between states exist, and that every other one is refused (no database)."""

import pytest
from engine import load

lifecycle = load("lifecycle")
exceptions = load("exceptions")

ALLOWED = {
    ("pending", "pending"), ("pending", "running"), ("pending", "skipped"), ("pending", "cancelled"),
    ("waiting", "pending"), ("waiting", "skipped"), ("waiting", "cancelled"),
    ("running", "done"), ("running", "skipped"), ("running", "failed"), ("running", "cancelled"),
    ("running", "paused"),
    ("paused", "paused"), ("paused", "running"), ("paused", "cancelled"),
    ("done", "failed"),
}


@pytest.mark.parametrize("old", lifecycle.STATES)
@pytest.mark.parametrize("new", lifecycle.STATES)
def test_exactly_the_drawn_moves_are_allowed(old, new):
    if (old, new) in ALLOWED:
        assert lifecycle.check_transition(old, new) == new
    else:
        with pytest.raises(exceptions.IllegalTransition, match=f"from {old} to {new}"):
            lifecycle.check_transition(old, new)


@pytest.mark.parametrize("state", ["skipped", "cancelled", "failed"])
def test_a_run_that_did_not_run_stays_so(state):
    assert not lifecycle.TRANSITIONS[state]


def test_every_open_state_can_be_cancelled_and_no_final_one_can():
    for state in lifecycle.OPEN_STATES:
        lifecycle.check_transition(state, "cancelled")
    for state in lifecycle.FINAL_STATES:
        with pytest.raises(exceptions.IllegalTransition):
            lifecycle.check_transition(state, "cancelled")


def test_runs_are_created_pending_waiting_or_skipped_only():
    for state in ("pending", "waiting", "skipped"):
        assert lifecycle.check_initial(state) == state
    for state in ("running", "paused", "done", "cancelled", "failed", "unknown"):
        with pytest.raises(exceptions.IllegalTransition):
            lifecycle.check_initial(state)


def test_an_unknown_state_is_refused_both_ways():
    with pytest.raises(exceptions.IllegalTransition):
        lifecycle.check_transition("pending", "archived")
    with pytest.raises(exceptions.IllegalTransition):
        lifecycle.check_transition("archived", "pending")


def test_the_states_partition_into_open_and_final():
    assert set(lifecycle.OPEN_STATES) | set(lifecycle.FINAL_STATES) == set(lifecycle.STATES)
    assert not set(lifecycle.OPEN_STATES) & set(lifecycle.FINAL_STATES)
    assert set(lifecycle.DUE_STATES) <= set(lifecycle.OPEN_STATES)
    assert set(lifecycle.TRANSITIONS) == set(lifecycle.STATES)

"""Conditions are domains of literals: whatever an expression computed, only field, operator and plain values pass."""

from datetime import date, datetime

import pytest
from engine import load

domains = load("domains")


@pytest.mark.parametrize("domain", [
    [],
    [("name", "=", "Azure")],
    ["|", ("user_id", "=", 2), "!", ("expected_revenue", ">", 10.5)],
    [("date_deadline", "<", date(2026, 12, 2)), ("create_date", ">=", datetime(2026, 12, 1, 9, 0))],
    [("company_id", "in", [1, 2, False]), ("active", "=", True), ("email_from", "!=", None)],
    ((1, "=", 1),),
])
def test_literal_domains_pass(domain):
    assert domains.check_literal_domain(domain) == list(domain)


class Record:
    """Stands for anything an expression could return that is not a plain value (a record, a module)."""

@pytest.mark.parametrize(("domain", "words"), [
    ("[('name', '=', 'x')]", "list of criteria"),
    ({"name": "x"}, "list of criteria"),
    (["or", ("name", "=", "x")], "not an operator"),
    ([("name", "=")], "not a criterion"),
    ([("name", "=", "x", "y")], "not a criterion"),
    ([(Record(), "=", "x")], "not a criterion"),
    ([("name", Record(), "x")], "not a criterion"),
    ([("user_id", "=", Record())], "not a plain value"),
    ([("user_id", "in", [1, Record()])], "not a plain value"),
    ([("name", "=", {"a": 1})], "not a plain value"),
    ([("name", "=", len)], "not a plain value"),
])
def test_anything_else_is_refused_with_a_reason(domain, words):
    with pytest.raises(domains.DomainError, match=words):
        domains.check_literal_domain(domain)

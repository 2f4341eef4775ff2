"""Phone numbers in E.164: every spelling a customer or a telephony system may send of one number."""

import pytest
from engine import load

phone = load("phone")


@pytest.mark.parametrize(("number", "region", "expected"), [
    ("0470 12 34 56", "BE", "+32470123456"),
    ("+32 (0)470/12.34.56", "BE", "+32470123456"),
    ("0032 470 12 34 56", "US", "+32470123456"),
    ("06 12 34 56 78", "fr", "+33612345678"),
    ("+33 6 12 34 56 78", None, "+33612345678"),
    ("(202) 555-0143", "US", "+12025550143"),
    ("22 123 45 67", "PL", "+48221234567"),
])
def test_spellings_of_one_number_give_one_e164(number, region, expected):
    assert phone.to_e164(number, region) == expected


@pytest.mark.parametrize(("number", "region"), [
    ("", "BE"), ("   ", "BE"), ("12", "BE"), ("not a number", "BE"), ("0470 12 34 56", None),
])
def test_unusable_numbers_are_refused_with_a_reason(number, region):
    with pytest.raises(phone.PhoneError):
        phone.to_e164(number, region)


def test_national_digits_are_what_every_spelling_ends_with():
    assert phone.national_digits("+32470123456") == "470123456"

"""Phone numbers in E.164, the one form in which two spellings of a number compare equal."""

import phonenumbers

from .exceptions import PhoneError


def to_e164(number, region=None):
    """Return ``number`` in E.164 (``+32470123456``).

    :param region: ISO country code used when the number is written in a
        national format (``0470 12 34 56``); ignored for international ones
    :raise PhoneError: when the text is not a valid number of that region
    """
    text = (number or "").strip()
    if not text:
        raise PhoneError("no phone number")
    if text.startswith("00"):
        # The international call prefix of most countries, whatever the region given.
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, (region or "").upper() or None)
    except phonenumbers.NumberParseException as error:
        raise PhoneError(f"“{text}” is not a phone number ({error})") from error
    if not phonenumbers.is_valid_number(parsed):
        raise PhoneError(f"“{text}” is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def national_digits(e164):
    """The national significant number of an E.164 number: what every spelling of it ends with."""
    return str(phonenumbers.parse(e164).national_number)

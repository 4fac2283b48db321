import pytest
from django.core.exceptions import ValidationError

from market.validators import (
    application_check_digit,
    kind_from_application_number,
    normalise_application_number,
    validate_credit_code,
)


def test_real_credit_code_passes():
    validate_credit_code("91350100M000100Y43")  # the standard's worked example


def test_wrong_check_character_names_the_expected_one():
    with pytest.raises(ValidationError) as err:
        validate_credit_code("91350100M000100Y44")
    assert "应为 3" in str(err.value) and "expected 3" in str(err.value)


@pytest.mark.parametrize("bad", ["", "9135010", "91350100M000100YI3", "91350100M000100Y4O"])
def test_malformed_credit_codes_are_refused(bad):
    with pytest.raises(ValidationError):
        validate_credit_code(bad)


@pytest.mark.parametrize("raw,canonical", [
    ("CN202223220665.2", "202223220665.2"),   # real numbers from a CNIPA export
    ("202121635235.X", "202121635235.X"),
    ("ZL 202310605823.6", "202310605823.6"),
])
def test_real_application_numbers_normalise(raw, canonical):
    assert normalise_application_number(raw) == canonical


def test_check_digit_ten_is_written_x():
    assert application_check_digit("202121635235") == "X"


def test_wrong_check_digit_is_refused():
    with pytest.raises(ValidationError) as err:
        normalise_application_number("202223220665.3")
    assert "应为 2" in str(err.value)


def test_kind_digit_gives_the_kind():
    assert kind_from_application_number("202223220665.2") == "utility_model"
    assert kind_from_application_number("202211740332.4") == "invention"

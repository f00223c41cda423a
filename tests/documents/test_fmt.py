"""French formatting, the one module every document uses: known strings.

The expected strings are those the four former renderers printed (the bilan's, the
displacement report's, the relevance study's, the near-repeat table's), so moving them
to one module changed no number in any document.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gltd.documents import fmt

NB = "\u00a0"  # no-break space (before %, around = in p-values)
NN = "\u202f"  # narrow no-break space (thousands)


def test_bilan_test_phrase() -> None:
    phrase = f"{fmt.fr_change(125.0)} (20 → 45), {fmt.fr_p(0.003)}, IC 95 % {fmt.fr_ci(1.3, 4.02)}"
    assert phrase.replace(NB, " ") == "+125 % (20 → 45), p = 0,003, IC 95 % [1,30 ; 4,02]"
    assert fmt.fr_change(-40.2) == f"−40{NB}%"
    assert fmt.fr_change(float("nan")) == "—"
    assert fmt.fr_ci(1.33, None) == f"[1,33{NB};{NB}+∞]"


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (2.25, 2, "2,25"),
        (1234.5, 1, f"1{NN}234,5"),  # the study's numbers
        (20, 0, "20"),
        (-0.012345, 4, "−0,0123"),  # the displacement report's measures (minus sign U+2212)
        (3.14159, 2, "3,14"),
        (1.23456, 2, "1,23"),  # the near-repeat table's ratios
        (0.05, 3, "0,050"),
        (None, 2, "—"),
        (float("nan"), 2, "—"),
        (float("inf"), 2, "—"),
    ],
)
def test_numbers(value: float | None, digits: int, expected: str) -> None:
    assert fmt.fr_num(value, digits) == expected


def test_integers_money_percentages() -> None:
    assert fmt.fr_int(150000) == f"150{NN}000"
    assert fmt.fr_int(None) == "—"
    assert fmt.fr_eur(150000) == f"150{NN}000{NB}€"
    assert fmt.fr_pct(0.7) == "70 %"
    assert fmt.fr_pct(0.125, 1) == "12,5 %"
    assert fmt.fr_rr(2.4444) == "2,44"


def test_numbers_as_written() -> None:
    assert [fmt.fr_dec(v) for v in (0.1, 100.0, 12.25, float("inf"))] == [
        "0,1",
        "100",
        "12,25",
        "∞",
    ]
    assert fmt.fr_dec(1000.0) == f"1{NN}000"
    assert fmt.fr_dec(None) == "—"


def test_p_values() -> None:
    assert fmt.fr_p(0.0004) == f"p{NB}<{NB}0,001"
    assert fmt.fr_p(0.003) == f"p{NB}={NB}0,003"
    assert fmt.fr_p(0.41234) == f"p{NB}={NB}0,41"
    assert fmt.fr_p(0.41234, 3) == f"p{NB}={NB}0,412"  # the study: three decimals
    assert fmt.fr_p(0.0037, 3, "p corrigée FDR") == f"p corrigée FDR{NB}={NB}0,004"
    assert fmt.fr_p(None) == "p non calculable"


def test_dates() -> None:
    assert fmt.fr_date("2018-03-24") == "24 mars 2018"
    assert fmt.fr_date(date(2018, 3, 1)) == "1er mars 2018"
    assert fmt.fr_date(datetime(2018, 9, 24, 23, 0)) == "24 septembre 2018"
    assert fmt.fr_date_short("2018-03-04") == "04/03/2018"
    assert fmt.fr_date_abbr(date(2018, 9, 24)) == "24 sept. 2018"
    assert [fmt.fr_month_abbr(m) for m in (1, 2, 7, 12)] == ["janv.", "févr.", "juil.", "déc."]
    assert fmt.fr_datetime_short(datetime(2018, 3, 24, 9, 5, tzinfo=UTC)) == "24/03/2018 10:05"
    assert fmt.fr_ucfirst("du 24 mars") == "Du 24 mars"


def test_parse_back() -> None:
    for text, value in ((fmt.fr_int(150000), 150000), (fmt.fr_num(-0.25, 2), -0.25)):
        assert fmt.parse_fr_number(text) == value


def test_repeated_numbers_print_as_the_first_time() -> None:
    # fr_num keeps its strings by value: −0.0 and 0.0 (equal as keys) stay apart, and a
    # number asked for again prints the same as Babel formats it.
    from babel.numbers import format_decimal

    for x in (0.0, -0.0, 0.0, -0.0):
        expected = format_decimal(x, format="#,##0.0", locale="fr_FR").replace("-", "\u2212")
        assert fmt.fr_num(x, 1) == expected
    assert fmt.fr_num(1234.5, 2) == fmt.fr_num(1234.5, 2) == f"1{NN}234,50"
    assert fmt.fr_num(1234.5, 0) == f"1{NN}234"  # digits are part of the key
    assert [fmt.fr_month_abbr(m) for m in (1, 2, 1)] == ["janv.", "févr.", "janv."]

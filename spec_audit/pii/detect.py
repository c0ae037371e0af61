"""Finding PII: one regex pass for candidates over all texts, then validators on distinct candidates.

The candidate patterns and the validators' data are in ``patterns.yaml``. The pass over the texts
is one Polars ``extract_all`` of all patterns combined; only the distinct candidates it finds are
checked in Python (phonenumbers, Luhn and IBAN checksums from python-stdnum, ipaddress), which is what keeps redaction
vectorised: the per-value work grows with the number of distinct candidates, not of texts.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import phonenumbers
import polars as pl
import yaml
from stdnum import iban, luhn

PATTERNS_FILE = Path(__file__).resolve().parent / "patterns.yaml"

#: The kinds of PII redacted, each replaced by its placeholder ``[KIND]``.
KINDS = ("EMAIL", "PHONE", "CARD", "IBAN", "SSN", "IP", "SECRET")

_DIGITS = re.compile(r"[0-9]")


@dataclass(frozen=True)
class Patterns:
    """The candidate patterns (by candidate kind) and the validators' settings."""

    candidates: dict[str, tuple[str, ...]]
    never: tuple[str, ...]
    email_file_endings: frozenset[str]
    secret_value_min_chars: int
    secret_plain_value_min_chars: int
    card_digits: tuple[int, int]
    card_prefix: re.Pattern[str]
    card_format: re.Pattern[str]
    ssn_format: re.Pattern[str]
    phone_region: str
    phone_trunk_regions: tuple[str, ...]
    phone_written_format: re.Pattern[str]
    phone_bare_format: re.Pattern[str]
    phone_min_digits: int

    @property
    def combined(self) -> str:
        """Return one regex matching any candidate, alternatives in the file's order."""
        return "|".join(f"(?:{p})" for group in self.candidates.values() for p in group)


@cache
def patterns() -> Patterns:
    """Return the patterns and validator settings read from ``patterns.yaml``."""
    data = yaml.safe_load(PATTERNS_FILE.read_text(encoding="utf-8"))
    return Patterns(
        candidates={kind: tuple(group) for kind, group in data["candidates"].items()},
        never=tuple(data["never"]),
        email_file_endings=frozenset(data["email_file_endings"]),
        secret_value_min_chars=int(data["secret_value_min_chars"]),
        secret_plain_value_min_chars=int(data["secret_plain_value_min_chars"]),
        card_digits=tuple(data["card_digits"]),
        card_prefix=re.compile(data["card_prefix"]),
        card_format=re.compile(data["card_format"]),
        ssn_format=re.compile(data["ssn_format"]),
        phone_region=str(data["phone_region"]),
        phone_trunk_regions=tuple(data["phone_trunk_regions"]),
        phone_written_format=re.compile(data["phone_written_format"]),
        phone_bare_format=re.compile(data["phone_bare_format"]),
        phone_min_digits=int(data["phone_min_digits"]),
    )


@cache
def _compiled() -> tuple[re.Pattern[str], tuple[tuple[str, re.Pattern[str]], ...]]:
    """Return the combined pattern and each candidate kind's full-match pattern (Python re)."""
    p = patterns()
    kinds = tuple(
        (kind, re.compile("|".join(f"(?:{x})" for x in group)))
        for kind, group in p.candidates.items()
    )
    return re.compile(p.combined), kinds


def candidates(texts: pl.Series) -> list[str]:
    """Return the distinct candidate strings the combined pattern finds in ``texts``, sorted.

    Candidates matching a ``never`` pattern (clock times, dates) are left out.
    """
    p = patterns()
    found = texts.cast(pl.String).str.extract_all(p.combined).explode().drop_nulls().unique()
    never = found.str.contains("|".join(f"(?:{x})" for x in p.never))
    return sorted(found.filter(~never).to_list())


def classify(found: Iterable[str]) -> dict[str, str]:
    """Return ``{text: kind}`` for the PII inside each candidate, as validated (kinds in KINDS).

    A candidate that is not PII as a whole may hold some (a run of digits holding two phone
    numbers, a key=value whose value is an email): its parts are tried too, and the mapping then
    names the parts.
    """
    result: dict[str, str] = {}
    for candidate in found:
        for text, kind in _pii_in(candidate):
            result.setdefault(text, kind)
    return result


def _pii_in(candidate: str) -> list[tuple[str, str]]:
    """Return the (text, kind) pairs of PII in one candidate."""
    combined, kinds = _compiled()
    kind = next((k for k, pattern in kinds if pattern.fullmatch(candidate)), None)
    verdict = _validate(kind, candidate) if kind else None
    if verdict:
        return [(candidate, verdict)]
    if kind == "number":
        return _numbers_in(candidate)
    # Not PII as a whole: look again from the next character (the value of a key=value, say).
    rest = candidate[1:]
    found = [m.group(0) for m in combined.finditer(rest)]
    return [pair for part in found if part != candidate for pair in _pii_in(part)]


def _numbers_in(candidate: str) -> list[tuple[str, str]]:
    """Return the PII in a run of digits and spaces: its longest valid space-separated windows."""
    tokens = candidate.split()
    found: list[tuple[str, str]] = []
    start = 0
    while start < len(tokens):
        for end in range(len(tokens), start, -1):
            if end - start == len(tokens):
                continue  # the whole run was already tried
            text = " ".join(tokens[start:end])
            kind = _number(text)
            if kind:
                found.append((text, kind))
                start = end
                break
        else:
            start += 1
    return found


def _validate(kind: str, text: str) -> str | None:
    """Return the PII kind ``text`` is, given the candidate pattern that matched it, or None."""
    if kind == "secret":
        return "SECRET" if _is_secret(text) else None
    if kind == "email":
        ending = text.rsplit(".", 1)[-1].lower()
        return None if ending in patterns().email_file_endings else "EMAIL"
    if kind == "iban":
        return "IBAN" if iban.is_valid(text) else None
    if kind == "ipv6":
        return "IP" if _is_ip(text) else None
    return _number(text)


def _is_secret(text: str) -> bool:
    """Return whether a secret candidate is one: any known format, or a credential-like value."""
    p = patterns()
    match = re.search(r"[:=][ \t]*(\S+)$", text)
    if match is None or re.match(r"(?i)bearer\s", text):
        return True  # a token format or a bearer token, never a key=value pair
    value = match.group(1)
    if len(value) < p.secret_value_min_chars:
        return False
    plain = value.isalpha()
    return not plain or len(value) >= p.secret_plain_value_min_chars


def _is_ip(text: str) -> bool:
    """Return whether ``text`` is an IPv4 or IPv6 address."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    # The machine's own and the "any" address identify nobody.
    return not (address.is_loopback or address.is_unspecified)


def _number(text: str) -> str | None:
    """Return CARD, SSN, IP or PHONE for a run of digits that is one, else None."""
    p = patterns()
    digits = "".join(_DIGITS.findall(text))
    if re.fullmatch(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}", text):
        return "IP" if _is_ip(text) else None
    low, high = p.card_digits
    if (
        low <= len(digits) <= high
        and p.card_prefix.match(digits)
        and p.card_format.match(text)
        and luhn.is_valid(digits)
        and len(set(digits)) > 1
    ):
        return "CARD"
    if p.ssn_format.match(text):
        return "SSN"
    if len(digits) >= p.phone_min_digits and _is_phone(text):
        return "PHONE"
    return None


def _is_phone(text: str) -> bool:
    """Return whether ``text`` is a phone number, by the rules of ``patterns.yaml``."""
    p = patterns()
    if text.startswith("+"):
        # Written with its country code, a possible number is a phone (fictional ones too).
        number = _parse(text, p.phone_region)
        return number is not None and phonenumbers.is_possible_number(number)
    if text.lstrip("(").startswith("0"):
        numbers = (_parse(text, region) for region in p.phone_trunk_regions)
        return any(n is not None and phonenumbers.is_valid_number(n) for n in numbers)
    number = _parse(text, p.phone_region)
    if number is None:
        return False
    if p.phone_written_format.match(text):
        return phonenumbers.is_possible_number(number)
    return bool(p.phone_bare_format.match(text)) and phonenumbers.is_valid_number(number)


def _parse(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    """Return ``text`` parsed as a phone number of ``region``, or None when it cannot be."""
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None

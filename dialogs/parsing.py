"""Reading numbers as people type them.

Accepted: full-width and half-width digits (NFKC folds them), 〇/零/无/没有/—/- as 0,
Chinese numerals (三十二, 两百), separators (space, comma, 、, ，, ；, tab, /), units (件, 条,
个, 项, 次, 万元, 元) and thousands separators in a single number (9,487). An amount may carry
up to six decimals; 元 typed into a 万元 field (and the reverse) is converted.

Invisible characters (zero-width spaces, the BOM, soft hyphens), bidirectional controls (a
right-to-left override reorders what a reader sees) and terminal escape sequences are removed
from every input before it is read (`clean_text`); they come in with pasted text and nobody
means them.

Everything else is a `Rejected` value whose Chinese message says what was expected, with an
example. Nothing here raises on any input string (a property test checks this).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import cn2an

from dialogs import messages as msg
from dialogs.form import Field, ValueKind

MAX_AMOUNT_DECIMALS = 6
MAX_COUNT = 10**9
MAX_AMOUNT = Decimal(10) ** 12

_SEPARATORS = re.compile(r"[\s,，、;；/|]+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_ZERO_WORDS = frozenset({"无", "没有", "零", "〇", "-", "—", "–", "--", "——", "无申请", "没", "空"})
_CN_NUMERAL = re.compile(r"^[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟点0-9.]+$")
_UNIT_SUFFIX = re.compile(r"(万元|元|件|条|个|项|次|份|起|宗)$")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
# The fee prompt says 未收取填 0: in an amount these words are 0 too.
_NO_FEE_WORDS = frozenset(
    {"未收取", "没有收取", "无收取", "不收取", "未收", "免收", "免费", "未收费", "未发生"}
)

# Terminal escape sequences (CSI such as colours and cursor moves, OSC titles, two-byte ESC codes).
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]?")
# Characters nobody sees: zero-width space / non-joiner / joiner, word joiner and invisible
# operators, BOM / zero-width no-break space, soft hyphen, Mongolian vowel separator, and the
# bidirectional marks, embeddings, overrides and isolates.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
# C0 and C1 controls except tab and line feed (a carriage return is a line break, see below).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n|\r|\u2028|\u2029")

FIRST_REPORT_YEAR = 2008  # the disclosure regulation took effect on 2008-05-01
# The largest id a database integer column holds (PostgreSQL's `integer`; SQLite's is wider).
MAX_ID = 2**31 - 1
AGENCY_NAME_MAX = 60  # the longest real names (区县人民政府办公室 + 部门全称) stay well within this
_AGENCY_SPACES = re.compile(r"[ \t\u3000]+")


@dataclass(frozen=True, slots=True)
class Rejected:
    """A reading that failed; `message` is shown to the user as is."""

    message: str


def clean_text(raw: str) -> str:
    """`raw` without escape sequences, invisible and bidirectional characters or controls.

    Line breaks become "\\n"; tabs stay. Used on every input and again on every output, so text
    stored before this existed is shown clean too.
    """
    text = _LINE_BREAKS.sub("\n", raw)
    text = _ESCAPE_SEQUENCE.sub("", text)
    return _CONTROL.sub("", _INVISIBLE.sub("", text))


def normalise(raw: str) -> str:
    """Cleaned, full-width to half-width, trimmed; ideographic space becomes a plain space."""
    return unicodedata.normalize("NFKC", clean_text(raw)).strip()


def split_tokens(text: str) -> list[str]:
    return [t for t in _SEPARATORS.split(text) if t]


def _token_value(token: str, field: Field) -> Decimal | Rejected:
    """One token to a Decimal, honouring units; counts are checked by the caller."""
    unit = ""
    m = _UNIT_SUFFIX.search(token)
    if m and m.start() > 0:
        unit = m.group(1)
        token = token[: m.start()]
    elif field.kind is ValueKind.AMOUNT and len(token) > 1 and token.endswith("万"):
        # "0.5万" in an amount means 0.5 万元; cn2an alone would read it as 5000.
        unit = "万元"
        token = token[:-1]
    if token in _ZERO_WORDS or (field.kind is ValueKind.AMOUNT and token in _NO_FEE_WORDS):
        return Decimal(0)
    if token.startswith("-") and len(token) > 1:
        return Rejected(msg.NEGATIVE.format(token=token, example=_example(field)))
    if token.startswith("负"):
        return Rejected(msg.NEGATIVE.format(token=token, example=_example(field)))
    value: Decimal
    if _PLAIN_NUMBER.match(token):
        value = Decimal(token.lstrip("+"))
    elif _CN_NUMERAL.match(token):
        try:
            converted = cn2an.cn2an(token, "smart")
        except (ValueError, KeyError, IndexError, TypeError):
            return Rejected(msg.NOT_A_NUMBER.format(token=token, example=_example(field)))
        value = Decimal(str(converted))
    else:
        return Rejected(msg.NOT_A_NUMBER.format(token=token, example=_example(field)))
    if field.kind is ValueKind.AMOUNT:
        if field.unit == "万元" and unit == "元":
            value = value / Decimal(10000)
        elif field.unit == "元" and unit == "万元":
            value = value * Decimal(10000)
    return value


def _example(field: Field) -> str:
    return "12.5" if field.kind is ValueKind.AMOUNT else "3"


def _finish(value: Decimal, field: Field, token: str) -> int | Decimal | Rejected:
    if value < 0:
        return Rejected(msg.NEGATIVE.format(token=token, example=_example(field)))
    if field.kind is ValueKind.COUNT:
        if value != value.to_integral_value():
            return Rejected(msg.DECIMAL_IN_COUNT.format(token=token))
        if value > MAX_COUNT:
            return Rejected(msg.TOO_LARGE.format(token=token))
        return int(value)
    if value > MAX_AMOUNT:
        return Rejected(msg.TOO_LARGE.format(token=token))
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_AMOUNT_DECIMALS:
        return Rejected(msg.TOO_MANY_DECIMALS.format(token=token, places=MAX_AMOUNT_DECIMALS))
    normalised = value.normalize()
    # Decimal("1E+2").normalize() keeps an exponent; quantize to a plain integer form then.
    if normalised == normalised.to_integral_value():
        return normalised.quantize(Decimal(1))
    return normalised


def parse_values(raw: str, fields: tuple[Field, ...]) -> list[int | Decimal] | Rejected:
    """Read exactly `len(fields)` numbers from one message."""
    text = normalise(raw)
    if not text:
        return Rejected(msg.EMPTY_NUMBERS.format(count=len(fields)))
    tokens = split_tokens(text)
    if len(tokens) != len(fields):
        joined = split_tokens(_THOUSANDS.sub("", text))
        if len(joined) == len(fields):
            tokens = joined
    if len(tokens) != len(fields):
        labels = "、".join(_short_label(f) for f in fields)
        return Rejected(
            msg.WRONG_COUNT.format(expected=len(fields), got=len(tokens), labels=labels)
            if len(fields) > 1
            else msg.WRONG_COUNT_ONE.format(got=len(tokens))
        )
    out: list[int | Decimal] = []
    for token, field in zip(tokens, fields, strict=True):
        try:
            value = _token_value(token, field)
            if isinstance(value, Rejected):
                return value
            finished = _finish(value, field, token)
        except (InvalidOperation, ArithmeticError):
            return Rejected(msg.NOT_A_NUMBER.format(token=token, example=_example(field)))
        if isinstance(finished, Rejected):
            return finished
        out.append(finished)
    return out


def parse_value(raw: str, field: Field) -> int | Decimal | Rejected:
    """Read one number for one field."""
    result = parse_values(raw, (field,))
    return result if isinstance(result, Rejected) else result[0]


def count_tokens(raw: str) -> int:
    return len(split_tokens(normalise(raw)))


def _short_label(field: Field) -> str:
    return field.label.rsplit("：", 1)[-1]


def parse_narrative(raw: str) -> str | Rejected:
    """A narrative paragraph: any non-blank text, kept as typed (only cleaned and trimmed)."""
    text = clean_text(raw).strip()
    if not text:
        return Rejected(msg.EMPTY_NARRATIVE)
    return text


def parse_agency_name(raw: str) -> str | Rejected:
    """An agency's full name: one line of visible text, at most `AGENCY_NAME_MAX` characters.

    The name goes into the report title, file names and the Word document's properties, so a
    paste of a whole paragraph or text with control characters is refused, not stored.
    """
    text = _INVISIBLE.sub("", raw).strip()
    if not text:
        return Rejected(msg.AGENCY_EMPTY)
    if _LINE_BREAKS.search(text) or "\n" in text or _CONTROL.search(text) or "\x1b" in text:
        return Rejected(msg.AGENCY_BAD_CHARACTERS)
    text = _AGENCY_SPACES.sub(" ", text)
    if len(text) > AGENCY_NAME_MAX:
        return Rejected(msg.AGENCY_TOO_LONG.format(length=len(text), limit=AGENCY_NAME_MAX))
    return text


def parse_whole_number(text: str, *, limit: int = MAX_ID) -> int | None:
    """`text` as a whole number when it is decimal digits only and at most `limit`, else None.

    For ids and years in commands and button data, typed or forged by a client. Full-width digits
    (２０２４, as a Chinese input method types them) count; `str.isdigit` would also accept
    superscripts and other digits `int` refuses (²), and a number beyond the database's integer
    range makes the query that looks it up fail.
    """
    if not text.isdecimal():
        return None
    number = int(text)
    return number if number <= limit else None


def parse_year_word(word: str) -> int | None:
    """A four-digit year in a command's arguments, else None."""
    return parse_whole_number(word) if len(word) == 4 else None


def parse_report_year(raw: str, *, default: int, current: int) -> int | Rejected:
    """A report year: four digits (年/年度 allowed), blank or 默认 for `default`.

    From `FIRST_REPORT_YEAR` to `current`; whether the current year (not finished yet) is
    meant is for the caller to confirm.
    """
    text = normalise(raw)
    for suffix in msg.YEAR_SUFFIXES:
        text = text.removesuffix(suffix).strip()
    if text in msg.TERM_DEFAULT_WORDS:
        return default
    year = parse_year_word(text)
    if year is not None and FIRST_REPORT_YEAR <= year <= current:
        return year
    return Rejected(msg.BAD_YEAR.format(first=FIRST_REPORT_YEAR, latest=current, default=default))

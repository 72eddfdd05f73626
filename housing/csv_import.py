"""The shared core of the CSV imports (dwellings, households, and whatever comes next).

An import reads the whole file, parses and validates every row, collects each bad row with its line
number (as in the file: the header is line 1) and its reasons in French, lets the service add the
checks that need the database (:meth:`CsvBatch.reject`), and only then writes: nothing at all when a
row is bad, or only the good rows with ``skip_invalid``.

Files come as French spreadsheets export them: UTF-8 with or without a byte-order mark, or
Windows-1252 when the bytes are not valid UTF-8; ``;`` or ``,`` as separator; dates ``JJ/MM/AAAA``
(or ``AAAA-MM-JJ``, i.e. DD/MM/YYYY or ISO); decimals with a comma or a dot.

An import module declares its columns (:class:`Column`) and a function that turns a
:class:`RowReader` into a typed value; :func:`parse_csv` does the rest. :class:`CsvImportCommand`
is the base of the management commands: they declare the service to call.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import datetime
import functools
import io
import re
import textwrap
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Generic, TypeVar

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from django.core.validators import validate_email
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from phonenumber_field.phonenumber import PhoneNumber

from housing.models import Landlord

T = TypeVar("T")

#: Rows per INSERT/UPDATE statement (the backend may lower it: SQLite caps statement parameters).
BATCH_SIZE = 2000

Source = str | Path | bytes | BinaryIO

SEPARATORS = (";", ",", "\t")


class CsvImportError(Exception):
    """The import was refused; ``messages`` are French, one line each."""

    def __init__(self, messages: Sequence[str]):
        self.messages = [str(message) for message in messages]
        super().__init__("\n".join(self.messages))


class CsvFileError(CsvImportError):
    """The file itself cannot be imported (encoding, missing or unknown columns)."""


class CsvRowsRejected(CsvImportError):
    """Some rows are bad and ``skip_invalid`` was not given: nothing was written."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__([str(error) for error in self.errors])


@dataclass(frozen=True)
class Column:
    """One column of an import file: its name in the header, its French label for messages."""

    name: str
    label: str
    required: bool = False
    hint: str = ""


@dataclass
class RowError:
    line: int
    reasons: list[str]
    #: (field or None, machine-readable code) of each reason, for the API's error bodies.
    codes: list[tuple[str | None, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return _("ligne %(line)d : %(reasons)s") % {
            "line": self.line,
            "reasons": " ; ".join(self.reasons),
        }


@dataclass(frozen=True)
class ParsedRow(Generic[T]):
    line: int
    data: T


@dataclass
class ImportResult:
    """What an import did, and its French summary."""

    subject: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        rejected = len(self.rejected)
        counts = ", ".join(
            [
                ngettext("%(count)d créé", "%(count)d créés", self.created)
                % {"count": self.created},
                ngettext("%(count)d mis à jour", "%(count)d mis à jour", self.updated)
                % {"count": self.updated},
                ngettext("%(count)d inchangé", "%(count)d inchangés", self.unchanged)
                % {"count": self.unchanged},
                ngettext("%(count)d ligne refusée", "%(count)d lignes refusées", rejected)
                % {"count": rejected},
            ]
        )
        return _("%(subject)s : %(counts)s.") % {"subject": self.subject, "counts": counts}


# Reading the file ------------------------------------------------------------------------------


def read_bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    return source.read()


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise CsvFileError(
            [
                _(
                    "Le fichier n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le au format "
                    "« CSV UTF-8 »."
                )
            ]
        ) from None


def sniff_separator(text: str) -> str:
    """The separator of the header line: the most frequent of ``;``, ``,`` and tab."""
    header = text.split("\n", 1)[0]
    counts = {separator: header.count(separator) for separator in SEPARATORS}
    best = max(SEPARATORS, key=lambda separator: counts[separator])
    return best if counts[best] else ","


def normalize_header(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lstrip("\ufeff").lower())


def records(text: str) -> Iterable[tuple[int, list[str]]]:
    """(line of the record's first line, cells) for each non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_separator(text))
    previous_end = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvFileError(
                [
                    _("ligne %(line)d : fichier CSV mal formé (%(error)s)")
                    % {"line": reader.line_num, "error": error}
                ]
            ) from None
        start, previous_end = previous_end + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            yield start, cells


# Parsing rows ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def simplify(text: str) -> str:
    """Lower case, no accents, single spaces: how choice values are compared."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(without_accents.split())


class ChoiceSet:
    """The accepted spellings of a choice: its code or its French label, any case or accents."""

    def __init__(
        self,
        choices: type[models.TextChoices] | Sequence[tuple[str, Any]],
        *,
        aliases: Mapping[str, str] | None = None,
        shown: Sequence[str] | None = None,
    ):
        self._choices = choices.choices if isinstance(choices, type) else list(choices)
        self._aliases = dict(aliases or {})
        self._shown = shown
        self._lookup: dict[str, str] | None = None

    def _build(self) -> dict[str, str]:
        if self._lookup is None:
            # Labels are French in the source: read them with translation off.
            with translation.override(None):
                pairs = [(str(value), str(label)) for value, label in self._choices]
            lookup = {simplify(value): value for value, _label in pairs}
            lookup.update({simplify(label): value for value, label in pairs})
            lookup.update({simplify(alias): value for alias, value in self._aliases.items()})
            self._lookup = lookup
            if self._shown is None:
                self._shown = [label for _value, label in pairs]
        return self._lookup

    def get(self, text: str) -> str | None:
        return self._build().get(simplify(text))

    @property
    def shown(self) -> str:
        self._build()
        return ", ".join(self._shown or [])


_FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DECIMAL = re.compile(r"[+-]?\d+(\.\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_TRUE = {"oui", "o", "vrai", "x", "1", "true", "yes", "y"}
_FALSE = {"non", "n", "faux", "0", "false", "no", ""}


def parse_date(text: str) -> datetime.date | None:
    """``JJ/MM/AAAA`` or ``AAAA-MM-JJ``; None when it is not a real date."""
    if match := _FRENCH_DATE.fullmatch(text):
        day, month, year = match.groups()
    elif match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    else:
        return None
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_decimal(text: str) -> Decimal | None:
    """``1 234,56``, ``1234.56``, ``1.234,56``, ``412,30 €``; None when it is not a number."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text)
    if "," in cleaned and "." in cleaned:
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    else:
        cleaned = cleaned.replace(",", ".")
    return Decimal(cleaned) if _DECIMAL.fullmatch(cleaned) else None


class CheckedPhoneNumber(PhoneNumber):
    """A number validated once on reading: saving it does not run the validation twice more."""

    def is_valid(self) -> bool:
        return True


def format_date(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


class RowReader:
    """One row's cells, read through typed getters that record a French reason for each error.

    A getter returns the parsed value, or the default (None unless said otherwise) when the cell
    is empty or bad; ``errors`` then says why the row is bad. A column absent from the file reads
    as an empty cell.
    """

    def __init__(self, line: int, cells: Mapping[str, str], columns: Mapping[str, Column]):
        """``cells`` are already stripped, by column name."""
        self.line = line
        self._cells = cells
        self._columns = columns
        self.errors: list[str] = []
        self.codes: list[tuple[str | None, str]] = []

    def error(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        self.errors.append(message)
        self.codes.append((field, code))

    def raw(self, name: str) -> str:
        """The cell, stripped; "" when the file has no such column."""
        return self._cells.get(name, "")

    def _label(self, name: str) -> str:
        return str(self._columns[name].label)

    def _invalid(self, name: str, value: str, expected: str) -> None:
        self.error(
            _("%(label)s « %(value)s » invalide (%(expected)s)")
            % {"label": self._label(name), "value": value, "expected": expected},
            field=name,
        )

    def _empty(self, name: str, value: str, required: bool) -> bool:
        if value:
            return False
        if required:
            self.error(
                _("valeur manquante : %(label)s") % {"label": self._label(name)},
                field=name,
                code="required",
            )
        return True

    def text(self, name: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.raw(name)
        if self._empty(name, value, required):
            return ""
        if max_length is not None and len(value) > max_length:
            self.error(
                _("%(label)s « %(value)s » trop long (%(length)d caractères, %(max)d au plus)")
                % {
                    "label": self._label(name),
                    "value": value,
                    "length": len(value),
                    "max": max_length,
                },
                field=name,
                code="max_length",
            )
        return value

    def date(self, name: str, *, required: bool = False) -> datetime.date | None:
        value = self.raw(name)
        if self._empty(name, value, required):
            return None
        parsed = parse_date(value)
        if parsed is None:
            self._invalid(name, value, _("format attendu JJ/MM/AAAA"))
        return parsed

    def decimal(
        self,
        name: str,
        *,
        required: bool = False,
        default: Decimal | None = None,
        max_digits: int,
        decimal_places: int,
        minimum: Decimal | None = None,
        positive: bool = False,
    ) -> Decimal | None:
        value = self.raw(name)
        if self._empty(name, value, required):
            return default
        parsed = parse_decimal(value)
        if parsed is None:
            self._invalid(name, value, _("nombre attendu, par exemple 412,30"))
            return default
        exponent = parsed.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > decimal_places:
            self._invalid(
                name,
                value,
                ngettext(
                    "%(places)d décimale au plus",
                    "%(places)d décimales au plus",
                    decimal_places,
                )
                % {"places": decimal_places},
            )
            return default
        if abs(parsed) >= Decimal(10) ** (max_digits - decimal_places):
            self._invalid(name, value, _("valeur trop grande"))
            return default
        if positive and parsed <= 0:
            self._invalid(name, value, _("valeur strictement positive attendue"))
            return default
        if minimum is not None and parsed < minimum:
            self._invalid(name, value, _("%(minimum)s au minimum") % {"minimum": str(minimum)})
            return default
        return parsed.quantize(Decimal(1).scaleb(-decimal_places))

    def integer(
        self,
        name: str,
        *,
        required: bool = False,
        default: int | None = None,
        minimum: int,
        maximum: int,
        aliases: Mapping[str, int] | None = None,
    ) -> int | None:
        value = self.raw(name)
        if self._empty(name, value, required):
            return default
        if aliases and simplify(value) in aliases:
            return aliases[simplify(value)]
        if not _INTEGER.fullmatch(value):
            self._invalid(name, value, _("nombre entier attendu"))
            return default
        parsed = int(value)
        if not minimum <= parsed <= maximum:
            self._invalid(
                name,
                value,
                _("entre %(minimum)d et %(maximum)d") % {"minimum": minimum, "maximum": maximum},
            )
            return default
        return parsed

    def choice(
        self, name: str, choices: ChoiceSet, *, required: bool = False, default: str = ""
    ) -> str:
        value = self.raw(name)
        if self._empty(name, value, required):
            return default
        parsed = choices.get(value)
        if parsed is None:
            self._invalid(
                name, value, _("valeurs possibles : %(choices)s") % {"choices": choices.shown}
            )
            return default
        return parsed

    def boolean(self, name: str, *, default: bool = False) -> bool:
        value = self.raw(name)
        if not value:
            return default
        if simplify(value) in _TRUE:
            return True
        if simplify(value) not in _FALSE:
            self._invalid(name, value, _("oui ou non attendu"))
        return False

    def phone(self, name: str, *, required: bool = False) -> PhoneNumber | str:
        """A French (or international) phone number, or "" when the cell is empty.

        Returned as django-phonenumber-field's ``PhoneNumber`` (stored in E.164 form, +33…), so
        that the model field does not parse it again.
        """
        value = self.raw(name)
        if self._empty(name, value, required):
            return ""
        region = getattr(settings, "PHONENUMBER_DEFAULT_REGION", None) or "FR"
        try:
            number = phonenumbers.parse(value, region, numobj=CheckedPhoneNumber())
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            self._invalid(name, value, _("numéro de téléphone attendu, par exemple 06 12 34 56 78"))
            return ""
        return number

    def email(self, name: str, *, required: bool = False, max_length: int = 254) -> str:
        value = self.raw(name)
        if self._empty(name, value, required):
            return ""
        try:
            validate_email(value)
        except ValidationError:
            self._invalid(name, value, _("adresse e-mail attendue"))
            return ""
        if len(value) > max_length:
            self._invalid(name, value, _("adresse trop longue"))
            return ""
        return value

    def postal_code(self, name: str, *, required: bool = False) -> str:
        value = self.raw(name)
        if self._empty(name, value, required):
            return ""
        # Spreadsheets drop the leading zero of 01000 (Bourg-en-Bresse).
        if re.fullmatch(r"\d{4}", value):
            value = "0" + value
        if not re.fullmatch(r"\d{5}", value):
            self._invalid(name, value, _("5 chiffres attendus"))
            return ""
        return value


class CsvBatch(Generic[T]):
    """The parsed rows of one file and the reasons of the rows refused so far."""

    def __init__(self, columns_present: Iterable[str]):
        self.columns_present = frozenset(columns_present)
        self._rows: list[ParsedRow[T]] = []
        self._errors: dict[int, RowError] = {}

    def has(self, column: str) -> bool:
        """Whether the file has this column (an absent column leaves existing values alone)."""
        return column in self.columns_present

    def add(self, line: int, data: T) -> None:
        self._rows.append(ParsedRow(line, data))

    def reject(
        self, line: int, reason: str, *, field: str | None = None, code: str = "invalid"
    ) -> None:
        error = self._errors.setdefault(line, RowError(line, []))
        error.reasons.append(reason)
        error.codes.append((field, code))

    def reject_unknown(
        self,
        ids: Mapping[str, int],
        *,
        reference: Callable[[T], str],
        field: str,
        message: str,
        landlord: Landlord,
    ) -> None:
        """Refuse the rows whose ``reference(data)`` is not a key of ``ids`` (unknown reference).

        ``message`` is French, with ``%(reference)s`` and ``%(landlord)s``.
        """
        for row in self.rows:
            value = reference(row.data)
            if value not in ids:
                self.reject(
                    row.line,
                    message % {"reference": value, "landlord": landlord.name},
                    field=field,
                    code="unknown_reference",
                )

    def is_rejected(self, line: int) -> bool:
        return line in self._errors

    @property
    def rows(self) -> list[ParsedRow[T]]:
        """The rows still valid, in file order."""
        return [row for row in self._rows if row.line not in self._errors]

    @property
    def errors(self) -> list[RowError]:
        return [self._errors[line] for line in sorted(self._errors)]

    def raise_if_rejected(self, *, skip_invalid: bool) -> None:
        """Stop before any write when a row is bad, unless only the good rows are wanted."""
        if self._errors and not skip_invalid:
            raise CsvRowsRejected(self.errors)


def parse_csv(
    source: Source,
    *,
    columns: Sequence[Column],
    parse_row: Callable[[RowReader], T],
    key: str,
) -> CsvBatch[T]:
    """Read and validate every row of ``source``; ``key`` must be unique within the file.

    Raises :class:`CsvFileError` when the file cannot be read at all; bad rows are recorded in the
    batch, not raised.
    """
    text = decode(read_bytes(source))
    by_name = {column.name: column for column in columns}
    rows = iter(records(text))
    try:
        _header_line, header_cells = next(rows)
    except StopIteration:
        raise CsvFileError(
            [_("Le fichier est vide : la première ligne doit nommer les colonnes.")]
        ) from None
    header = [normalize_header(cell) for cell in header_cells]
    _check_header(header, columns)

    batch: CsvBatch[T] = CsvBatch(name for name in header if name)
    readers = []
    for line, cells in rows:
        reader = RowReader(line, _cells_by_name(header, cells), by_name)
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
            reader.error(
                _("%(found)d valeurs pour %(expected)d colonnes")
                % {"found": len(cells), "expected": len(header)},
                code="extra_values",
            )
        readers.append(reader)
    return _fill_batch(batch, readers, by_name=by_name, parse_row=parse_row, key=key)


def _fill_batch(
    batch: CsvBatch[T],
    readers: Iterable[RowReader],
    *,
    by_name: Mapping[str, Column],
    parse_row: Callable[[RowReader], T],
    key: str,
) -> CsvBatch[T]:
    """Parse each row into ``batch``; ``key`` must be unique among the rows."""
    first_line_of_key: dict[str, int] = {}
    for reader in readers:
        line = reader.line
        data = parse_row(reader)
        key_value = reader.raw(key)
        if key_value and key_value in first_line_of_key:
            reader.error(
                _("%(label)s « %(value)s » en double (déjà à la ligne %(line)d)")
                % {
                    "label": by_name[key].label,
                    "value": key_value,
                    "line": first_line_of_key[key_value],
                },
                field=key,
                code="duplicate",
            )
        elif key_value:
            first_line_of_key[key_value] = line
        if reader.errors:
            for reason, (field_name, code) in zip(reader.errors, reader.codes, strict=True):
                batch.reject(line, reason, field=field_name, code=code)
        else:
            batch.add(line, data)
    return batch


#: JSON values a field of an item may hold (read as the text of a CSV cell).
_SCALARS = (str, int, float, bool, type(None))


def parse_items(
    items: Sequence[Mapping[str, Any]],
    *,
    columns: Sequence[Column],
    parse_row: Callable[[RowReader], T],
    key: str,
) -> CsvBatch[T]:
    """The same checks as :func:`parse_csv`, on the items of a JSON payload (the API).

    An item's "line" is its index in the payload. Every item must carry the same fields (as the
    rows of a file share its columns): a field absent from them all leaves existing values alone.
    """
    by_name = {column.name: column for column in columns}
    present = set(items[0]) if items and isinstance(items[0], Mapping) else set()
    batch: CsvBatch[T] = CsvBatch(name for name in present if name in by_name)
    readers = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            batch.reject(index, _("objet JSON attendu"), code="type")
            continue
        cells = {}
        reader = RowReader(index, cells, by_name)
        for name, value in item.items():
            if name not in by_name:
                reader.error(
                    _("champ inconnu « %(field)s »") % {"field": name}, field=name, code="unknown"
                )
            elif not isinstance(value, _SCALARS):
                reader.error(
                    _("%(label)s : texte, nombre ou booléen attendu")
                    % {"label": by_name[name].label},
                    field=name,
                    code="type",
                )
            else:
                cells[name] = "" if value is None else str(value).strip()
        if set(item) != present:
            reader.error(
                _("les champs doivent être les mêmes pour tous les éléments (comme le premier)"),
                code="inconsistent_fields",
            )
        readers.append(reader)
    return _fill_batch(batch, readers, by_name=by_name, parse_row=parse_row, key=key)


def read_batch(
    *,
    source: Source | None = None,
    items: Sequence[Mapping[str, Any]] | None = None,
    columns: Sequence[Column],
    parse_row: Callable[[RowReader], T],
    key: str,
) -> CsvBatch[T]:
    """A file (``source``) or the items of an API call, parsed and checked the same way."""
    if items is not None:
        return parse_items(items, columns=columns, parse_row=parse_row, key=key)
    return parse_csv(source, columns=columns, parse_row=parse_row, key=key)


def _cells_by_name(header: list[str], cells: list[str]) -> dict[str, str]:
    return {name: cell.strip() for name, cell in zip(header, cells, strict=False) if name}


def _check_header(header: list[str], columns: Sequence[Column]) -> None:
    known = {column.name for column in columns}
    messages = []
    missing = [column.name for column in columns if column.required and column.name not in header]
    if missing:
        messages.append(
            ngettext(
                "Colonne obligatoire absente : %(columns)s.",
                "Colonnes obligatoires absentes : %(columns)s.",
                len(missing),
            )
            % {"columns": ", ".join(missing)}
        )
    unknown = [name for name in header if name and name not in known]
    if unknown:
        messages.append(
            ngettext(
                "Colonne inconnue : %(columns)s (colonnes possibles : %(known)s).",
                "Colonnes inconnues : %(columns)s (colonnes possibles : %(known)s).",
                len(unknown),
            )
            % {"columns": ", ".join(unknown), "known": ", ".join(c.name for c in columns)}
        )
    doubled = sorted({name for name in header if name and header.count(name) > 1})
    if doubled:
        messages.append(_("Colonne en double : %(columns)s.") % {"columns": ", ".join(doubled)})
    if messages:
        raise CsvFileError(messages)


# The management commands -----------------------------------------------------------------------


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    pass


def columns_help(columns: Sequence[Column]) -> str:
    lines = []
    for column in columns:
        flag = _("obligatoire") if column.required else _("facultative")
        hint = f" – {column.hint}" if column.hint else ""
        lines.append(f"  {column.name:<26} {column.label} ({flag}){hint}")
    return "\n".join(lines)


class CsvImportCommand(BaseCommand):
    """``manage.py import_<things> FILE.csv --landlord SLUG [--skip-invalid] [--dry-run]``."""

    #: French description, shown above the list of columns.
    description: str = ""
    columns: Sequence[Column] = ()
    #: The import service: ``staticmethod(dwellings_import)``, called with keyword arguments
    #: landlord, source, skip_invalid and dry_run.
    service: Callable[..., ImportResult]

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs["formatter_class"] = _HelpFormatter
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.description = "\n".join(
            [
                textwrap.fill(str(self.description), 78),
                "",
                textwrap.fill(
                    _(
                        "Fichier CSV en UTF-8 ou Windows-1252, séparateur « ; » ou « , », "
                        "dates JJ/MM/AAAA, décimales avec virgule ou point. Une colonne absente "
                        "laisse la valeur existante intacte ; une cellule vide vaut la valeur par "
                        "défaut. Colonnes :"
                    ),
                    78,
                ),
                columns_help(self.columns),
            ]
        )
        return parser

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("le fichier CSV à importer"))
        parser.add_argument(
            "--landlord", required=True, help=_("identifiant (slug) du bailleur, par exemple actis")
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help=_("importer les lignes valides et ignorer les lignes refusées"),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("tout vérifier et compter, sans rien enregistrer"),
        )

    def handle(self, *args, file, landlord, skip_invalid, dry_run, **options):
        landlord_obj = Landlord.objects.filter(slug=landlord).first()
        if landlord_obj is None:
            raise CommandError(_("Bailleur « %(slug)s » inconnu.") % {"slug": landlord})
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(
                _("Impossible de lire le fichier « %(file)s » : %(error)s")
                % {"file": file, "error": error.strerror or error}
            ) from None

        try:
            result = self.service(
                landlord=landlord_obj, source=data, skip_invalid=skip_invalid, dry_run=dry_run
            )
        except CsvRowsRejected as rejected:
            lines = [*rejected.messages, ""]
            lines.append(
                ngettext(
                    "Import annulé : %(count)d ligne refusée, rien n'a été enregistré. "
                    "Corrigez le fichier ou relancez avec --skip-invalid pour n'importer que "
                    "les lignes valides.",
                    "Import annulé : %(count)d lignes refusées, rien n'a été enregistré. "
                    "Corrigez le fichier ou relancez avec --skip-invalid pour n'importer que "
                    "les lignes valides.",
                    len(rejected.errors),
                )
                % {"count": len(rejected.errors)}
            )
            raise CommandError("\n".join(lines)) from None
        except CsvImportError as error:
            raise CommandError(
                "\n".join([_("Import annulé, rien n'a été enregistré :"), *error.messages])
            ) from None

        for error in result.rejected:
            self.stderr.write(self.style.WARNING(str(error)))
        if result.dry_run:
            self.stdout.write(_("Simulation : rien n'a été enregistré."))
        self.stdout.write(self.style.SUCCESS(result.summary()))
        for detail in result.details:
            self.stdout.write(detail)

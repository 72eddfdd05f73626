"""The translation catalogues: compiled, complete, safe to format, and really used by the pages.

Source strings are French; English comes from locale/en/LC_MESSAGES/django.po, compiled to
django.mo. Both are committed, so these tests fail when someone edits the .po without running
``manage.py compilemessages``, leaves an entry untranslated or fuzzy, or breaks a placeholder.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.factories import PASSWORD

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
CATALOGUES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))
ENGLISH = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
# Common French words that never appear in an English sentence.
FRENCH_WORD = re.compile(
    r"\b(le|la|les|de|du|des|au|aux|et|un|une|en|ce|cette|dans|pour|par|avec|sur|vous|votre|vos"
    r"|mon|ma|mes|ne|pas|est|sont|aucun|aucune|tous|toutes)\b"
)

# printf-style conversions as Python's % operator reads them: %(name)s, %d, %5.2f…; not %%.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[a-zA-Z%]"
)


def _language(path: Path) -> str:
    return path.parent.parent.name


def _key(entry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _value(entry) -> str | tuple[str, ...]:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
    return entry.msgstr


def _translations(entry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def _placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text) if match.group(0) != "%%")


def _formats_with_python(entry) -> bool:
    return "python-format" in entry.flags or bool(re.search(r"%\(\w+\)", entry.msgid))


def test_the_english_catalogue_exists():
    assert ENGLISH in CATALOGUES


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_language)
def test_the_compiled_catalogue_holds_exactly_the_translated_entries_of_the_po(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run manage.py compilemessages"
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(mo_path))
    expected = {_key(entry): _value(entry) for entry in po.translated_entries()}
    compiled = {_key(entry): _value(entry) for entry in mo}
    stale = sorted(
        key for key in expected.keys() | compiled.keys() if expected.get(key) != compiled.get(key)
    )
    assert not stale, (
        f"{mo_path} does not match {po_path.name} for {len(stale)} entries, first {stale[:3]}: "
        "run manage.py compilemessages"
    )


def test_the_english_catalogue_has_no_untranslated_or_fuzzy_entry():
    po = polib.pofile(str(ENGLISH))
    assert po.metadata.get("Language") == "en"
    assert "nplurals=2" in po.metadata.get("Plural-Forms", "")
    assert not po.metadata_is_fuzzy
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated, first: {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, first: {fuzzy[:5]}"


def _looks_french(text: str) -> bool:
    text = PLACEHOLDER.sub(" ", text).lower()
    return bool(FRENCH_WORD.search(text) or re.search(r"[àâçéèêëîïôûùœ]", text))


def test_the_english_translations_are_not_copies_of_the_french():
    po = polib.pofile(str(ENGLISH))
    # Words spelt the same in both languages ("Questionnaire", "Notes") are fine; French is not.
    copied = [
        entry.msgid
        for entry in po.translated_entries()
        if any(text == entry.msgid for text in _translations(entry)) and _looks_french(entry.msgid)
    ]
    assert not copied, f"left in French: {copied[:5]}"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_language)
def test_every_translation_keeps_the_placeholders_of_its_source(po_path):
    po = polib.pofile(str(po_path))
    broken = []
    for entry in po.translated_entries():
        if not _formats_with_python(entry):
            continue
        wanted = _placeholders(entry.msgid)
        if entry.msgid_plural:
            wanted_plural = _placeholders(entry.msgid_plural)
            for index, text in entry.msgstr_plural.items():
                if _placeholders(text) not in (wanted, wanted_plural):
                    broken.append((entry.msgid, index, text))
        elif _placeholders(entry.msgstr) != wanted:
            broken.append((entry.msgid, None, entry.msgstr))
    assert not broken, f"placeholders changed in {len(broken)} entries, first: {broken[:3]}"


def test_django_serves_the_english_catalogue():
    """Every English entry comes back through Django's own gettext, so the .mo is the one loaded."""
    po = polib.pofile(str(ENGLISH))
    wrong = []
    with translation.override("en"):
        for entry in po.translated_entries():
            if entry.msgid_plural:
                got = tuple(
                    translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                    if entry.msgctxt
                    else translation.ngettext(entry.msgid, entry.msgid_plural, n)
                    for n in (1, 2)
                )
            elif entry.msgctxt:
                got = translation.pgettext(entry.msgctxt, entry.msgid)
            else:
                got = translation.gettext(entry.msgid)
            if got != _value(entry):
                wrong.append((entry.msgid, got))
    assert not wrong, f"{len(wrong)} entries not served as in the .po, first: {wrong[:3]}"


@pytest.mark.django_db
def test_the_login_page_is_in_english_once_english_is_chosen(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page
    assert "Forgotten your password?" in page
    assert "Skip to content" in page
    assert ">Log in</button>" in page
    assert "Mot de passe oublié" not in page
    assert "Se connecter" not in page


@pytest.mark.django_db
def test_a_staff_member_who_prefers_english_gets_the_portal_in_english(client, alice):
    alice.language = "en"
    alice.save(update_fields=["language"])
    response = client.post(
        reverse("login"), {"username": alice.email, "password": PASSWORD}, follow=True
    )
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Hello Alice" in page
    assert "Customer relations officer – Actis" in page
    assert "Your landlords" in page
    assert "Vacant dwellings" in page
    assert "Vos bailleurs" not in page

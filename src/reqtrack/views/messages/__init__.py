"""Every error sentence in the three languages: the catalogue of the English templates the
exceptions carry (`domain.errors.Message`) and their simplified and traditional Chinese, and the
rendering of an error for people (`render`), its times in the database's zone.

The catalogue is split by where the sentences come from: `of_domain` (the rules), `of_storage`
(the database), `of_services` (the verbs, import, copy, backup), `of_files` (sheets, written
files, e-mail, notice templates), `of_cli` (the command line and click's usage errors). A
template missing here is shown in English (tests/unit/test_messages.py keeps it from happening).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo

from ...domain.errors import Message, Rendering, ReqtrackError
from ...domain.vocab import LANGUAGES
from . import of_cli, of_domain, of_files, of_services, of_storage

Catalogue = Mapping[str, tuple[str, str]]  # English template -> (zh-CN, zh-TW)


def merged(*parts: Catalogue) -> dict[str, tuple[str, str]]:
    """The parts as one catalogue; a template in two parts must read the same in both."""
    whole: dict[str, tuple[str, str]] = {}
    for part in parts:
        for template, translations in part.items():
            if whole.setdefault(template, translations) != translations:
                raise ValueError(f"two translations of {template!r}")
    return whole


CATALOGUE = merged(of_domain.MESSAGES, of_storage.MESSAGES, of_services.MESSAGES, of_files.MESSAGES, of_cli.MESSAGES)


def translate(template: str, lang: str) -> str | None:
    """The template in `lang` (zh-CN or zh-TW); None for English or a template not in the catalogue."""
    found = CATALOGUE.get(template)
    if found is None or lang not in LANGUAGES[1:]:
        return None
    return found[LANGUAGES.index(lang) - 1]


def rendering(lang: str, zone: tzinfo | None = None) -> Rendering:
    """How a sentence is shown in `lang` (en, zh-CN, zh-TW), its times in `zone`."""
    return Rendering(lang if lang in LANGUAGES else "en", zone, translate)


def render(what: ReqtrackError | Message | str, lang: str, zone: tzinfo | None = None) -> str:
    """An error (or a message, a plain sentence) as people read it in `lang`, times in `zone`."""
    how = rendering(lang, zone)
    if isinstance(what, ReqtrackError):
        return what.render(how)
    if isinstance(what, Message):
        return what.render(how)
    return translate(what, how.lang) or what

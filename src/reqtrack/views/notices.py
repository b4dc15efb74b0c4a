"""Customer notices as the customer reads them (SPEC §8, docs/notices.md): the templates, their
check, and the filling of one notice from domain.notices.NoticeValues.

A template is plain text: its first line is the subject, then a blank line, then the body. It is
Jinja2 (`{{ placeholder }}`, `{% if %}`, `{% for %}`) rendered in a sandbox with StrictUndefined
and without autoescaping (these are plain-text mails). User text — the description, names,
notes — reaches a template only as a value, never as template source, so `{{ }}` or `{% %}` in
it is shown exactly as written. The placeholders are PLACEHOLDERS, the one list (docs/notices.md
repeats it; a test checks the two agree). Built-in templates: notice_templates/<lang>/<kind>.txt.
Jinja2 is imported when a template is checked or filled, never on a command's start-up path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..domain.errors import InvalidInput, Message
from ..domain.notices import KINDS, NoticeValues, Promise
from ..domain.vocab import FEASIBILITY, LANGUAGES, NOTICE_KIND, PRIORITY, SATISFACTION, SOURCE, STATUS, TYPE
from .cells import spoken_time
from .labels import label

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

# Every name a template may use, with what it holds (times in the database's zone, formatted for
# the language; vocabulary values as their labels; "" for what is not known or not set).
PLACEHOLDERS: dict[str, str] = {
    "id": "the request's ID, e.g. 202612-001 (every subject names it)",
    "kind": "the notice kind: ack, plan, progress, done, survey or cancel",
    "kind_label": "the notice kind in the language, e.g. 受理确认",
    "customer": "the customer / project, as registered",
    "description": "the customer's own words, verbatim (several lines kept)",
    "proposer": "the customer's contact person (masked as in exports when asked: 王**)",
    "contact": "the customer's contact details",
    "liaison": "the team's liaison for the request",
    "source": "where the request came from (label)",
    "type": "the request's type (label)",
    "status": "the status now (label)",
    "status_key": "the status now (key: pending, in-progress, verifying, done, closed, cancelled)",
    "priority": "the priority (label: 高 / 中 / 低, High / Medium / Low)",
    "priority_key": "the priority (key: high, medium, low)",
    "feasibility": "the feasibility (label)",
    "feasibility_key": "the feasibility (key: now, adjust, defer)",
    "owner": "the person in charge",
    "department": "the department in charge",
    "submitted_at": "when the request was submitted",
    "response_by": "the deadline of the first answer (submitted + sla.response_hours)",
    "plan_by": "high priority: the deadline of the plan (submitted + sla.plan_hours.high)",
    "due": "the planned completion (a date alone when it was set as a date)",
    "resolution_by": "the resolution deadline of the SLA (sla.resolution_days of the priority, working days; pushed back by pauses)",
    "completed_at": "when the work was reported done",
    "closed_at": "when the request was closed",
    "response_promise": "the response target in words: within 24 hours / 24小时内 / 24小時內",
    "plan_promise": "high priority: the plan target in words (within 48 hours)",
    "resolution_promise": "the resolution target in words: within 2 working days / 2个工作日内 / 2個工作天內",
    "progress_notes": "the progress notes since the last notice, oldest first: a list of items with .at and .text",
    "completion_note": "the note of the latest completion: what was done",
    "verification_note": "the note of the verification",
    "cancel_reason": "the reason of the cancellation",
    "satisfaction": "the satisfaction given (label)",
    "last_notice_at": "when the previous notice reached the customer",
    "waiting": "true while the team waits on the customer (for {% if waiting %})",
}

MAX_TEMPLATE_CHARS = 20_000
_LINE_BREAKS = re.compile(r"\s*[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+\s*")


@dataclass(frozen=True)
class NoteItem:
    """A progress note as a template sees it (`{{ note.at }}`, `{{ note.text }}`)."""

    at: str
    text: str


def format_time(value: datetime | None, values: NoticeValues, lang: str, date_only: bool = False) -> str:
    """A time in the database's zone, as the language writes it: `3 Dec 2026 18:00` (en),
    `2026年12月3日 18:00` (zh-CN, zh-TW); the date alone with `date_only`; "" for None."""
    return spoken_time(value, values.tz, lang, date_only)


def _amount(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def format_promise(promise: Promise | None, lang: str) -> str:
    """A target in the unit of its setting: `within 24 hours`, `2个工作日内`, `2個工作天內`."""
    if promise is None:
        return ""
    one = promise.amount == 1 and lang == "en"
    if promise.unit == "hours":
        return label("notice.within_hour" if one else "notice.within_hours", lang, n=_amount(promise.amount))
    return label("notice.within_wd" if one else "notice.within_wds", lang, n=_amount(promise.amount))


def notice_context(values: NoticeValues, lang: str) -> dict[str, Any]:
    """The template's values: every name of PLACEHOLDERS, formatted for `lang`."""
    lang = lang if lang in LANGUAGES else "en"

    def when(value: datetime | None, date_only: bool = False) -> str:
        return format_time(value, values, lang, date_only)

    def text(value: str | None) -> str:
        return value or ""

    context: dict[str, Any] = {
        "id": values.id, "kind": values.kind, "kind_label": NOTICE_KIND.label(values.kind, lang),
        "customer": values.customer, "description": values.description, "proposer": text(values.proposer),
        "contact": text(values.contact), "liaison": text(values.liaison),
        "source": SOURCE.label(values.source, lang) if values.source in SOURCE.labels else text(values.source),
        "type": TYPE.label(values.type, lang) if values.type in TYPE.labels else text(values.type),
        "status": STATUS.label(values.status, lang), "status_key": values.status,
        "priority": PRIORITY.label(values.priority, lang), "priority_key": text(values.priority),
        "feasibility": FEASIBILITY.label(values.feasibility, lang), "feasibility_key": text(values.feasibility),
        "owner": text(values.owner), "department": text(values.department),
        "submitted_at": when(values.submitted_at), "response_by": when(values.response_by),
        "plan_by": when(values.plan_by), "due": when(values.due, values.due_is_date),
        "resolution_by": when(values.resolution_by), "completed_at": when(values.completed_at),
        "closed_at": when(values.closed_at),
        "response_promise": format_promise(values.response_promise, lang),
        "plan_promise": format_promise(values.plan_promise, lang),
        "resolution_promise": format_promise(values.resolution_promise, lang),
        "progress_notes": [NoteItem(when(note.at), note.text) for note in values.progress_notes],
        "completion_note": text(values.completion_note), "verification_note": text(values.verification_note),
        "cancel_reason": text(values.cancel_reason),
        "satisfaction": SATISFACTION.label(values.satisfaction, lang) if values.satisfaction in SATISFACTION.labels
        else text(values.satisfaction),
        "last_notice_at": when(values.last_notice_at), "waiting": values.waiting,
    }
    assert context.keys() == PLACEHOLDERS.keys()
    return context


# -- templates -----------------------------------------------------------------------------------
def builtin_template(kind: str, lang: str) -> str:
    """The built-in template of `kind` in `lang` (what `template reset` returns to)."""
    if kind not in KINDS:
        raise InvalidInput("unknown notice kind {kind!r}; use one of {kinds}", kind=kind, kinds=", ".join(KINDS))
    if lang not in LANGUAGES:
        raise InvalidInput("unknown language {lang!r}; use one of {languages}", lang=lang, languages=", ".join(LANGUAGES))
    path = resources.files(__package__) / "notice_templates" / lang / f"{kind}.txt"
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _environment() -> SandboxedEnvironment:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True,
                               keep_trailing_newline=False)
    env.globals.clear()  # only the placeholders: no range(), lipsum(), namespace()
    return env


def _split(text: str) -> tuple[str, str]:
    """(subject template, body template) of a template's text; InvalidInput when its shape is wrong."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    subject, _, rest = text.partition("\n")
    if not subject.strip():
        raise InvalidInput("the template's first line must be the subject (it is empty)")
    blank, _, body = rest.partition("\n")
    if blank.strip():
        raise InvalidInput("the template's second line must be blank: the first line is the subject, the body "
                           "follows the blank line")
    if not body.strip():
        raise InvalidInput("the template has no body after the subject and the blank line")
    return subject, body


_PARTS = {"subject": Message("subject"), "body": Message("body")}


def _check_part(source: str, name: str, offset: int) -> set[str]:
    """The placeholders one part uses; InvalidInput for a syntax error, a tag reqtrack does not
    allow, an unknown placeholder or an unknown filter."""
    from jinja2 import TemplateSyntaxError, meta, nodes
    from jinja2.exceptions import TemplateAssertionError

    env, part = _environment(), _PARTS[name]
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        line = (exc.lineno or 1) + offset
        raise InvalidInput("the template has a syntax error in its {part}, line {line}: {detail}", part=part, line=line,
                           detail=exc.message) from None
    for node_type, tag in ((nodes.Include, "include"), (nodes.Import, "import"), (nodes.FromImport, "from ... import"),
                           (nodes.Extends, "extends")):
        found = next(iter(tree.find_all(node_type)), None)
        if found is not None:
            raise InvalidInput("the template uses {{% {tag} %}} on line {line}; a notice template stands alone (use the "
                               "placeholders instead)", tag=tag, line=found.lineno + offset)
    try:
        used = meta.find_undeclared_variables(tree)  # compiles the tree: an unknown filter or test fails here
        unknown = sorted(used - PLACEHOLDERS.keys())
        if not unknown:
            env.from_string(tree)
    except (TemplateAssertionError, TemplateSyntaxError) as exc:
        raise InvalidInput("the template cannot be used ({part}, line {line}): {detail}", part=part,
                           line=(exc.lineno or 1) + offset, detail=exc.message) from None
    if unknown:
        names = ", ".join("{{ " + name + " }}" for name in unknown)
        raise InvalidInput("the template uses the unknown placeholders {names} in its {part}; known placeholders: {known}"
                           if len(unknown) > 1 else
                           "the template uses the unknown placeholder {names} in its {part}; known placeholders: {known}",
                           names=names, part=part, known=", ".join(PLACEHOLDERS))
    return used


def check_template(text: str) -> None:
    """Refuse (InvalidInput, one sentence naming the problem) a template that `render_notice`
    could not fill: the wrong shape (subject line, blank line, body), a Jinja syntax error, an
    unknown placeholder or filter, `include`/`import`/`extends`, a subject without `{{ id }}`,
    or more than MAX_TEMPLATE_CHARS characters."""
    if len(text) > MAX_TEMPLATE_CHARS:
        raise InvalidInput("the template has {count} characters; at most {most} are allowed", count=len(text),
                           most=MAX_TEMPLATE_CHARS)
    subject, body = _split(text)
    if "id" not in _check_part(subject, "subject", 0):
        raise InvalidInput("the template's subject must contain {{ id }}, so that the customer's reply names the request")
    _check_part(body, "body", 2)


def render_notice(kind: str, lang: str, values: NoticeValues, template_text: str | None = None) -> tuple[str, str]:
    """(subject, body) of the notice of `kind` in `lang`, filled from `values`, with the built-in
    template or `template_text` (checked first: InvalidInput names what is wrong). The subject is
    one line (line breaks in values become spaces); the body has no leading or trailing newline."""
    if kind != values.kind:
        raise ValueError(f"values of a {values.kind!r} notice given for a {kind!r} notice")
    text = builtin_template(kind, lang) if template_text is None else template_text
    check_template(text)
    subject_source, body_source = _split(text)
    context = notice_context(values, lang)
    subject = _LINE_BREAKS.sub(" ", _fill(subject_source, context, kind, lang)).strip()
    body = _fill(body_source, context, kind, lang).strip("\n")
    return subject, body


def _fill(source: str, context: dict[str, Any], kind: str, lang: str) -> str:
    from jinja2 import TemplateError

    try:
        return _environment().from_string(source).render(context)
    except (TemplateError, TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        raise InvalidInput("the {kind} notice template ({lang}) cannot be filled: {detail}", kind=kind, lang=lang,
                           detail=str(exc)) from None

"""Vocabularies and the times people type."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reqtrack.domain.calendar import WorkingCalendar
from reqtrack.domain.errors import InvalidInput
from reqtrack.domain.record import format_request_id, parse_generated_id
from reqtrack.domain.timeparse import Duration, end_of_day, parse_duration, parse_time, start_of_day, utc
from reqtrack.domain.vocab import (
    COLUMNS,
    LANGUAGES,
    PRIORITY,
    SOURCE,
    STATUS,
    TYPE,
    VOCABULARIES,
    column_label,
    normalise_language,
)

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 14, 1, 30, tzinfo=timezone.utc)  # 09:30 in Shanghai


@pytest.mark.parametrize("text,key", [("高", "high"), ("high", "high"), ("High", "high"), ("中", "medium")])
def test_priority_accepts_key_and_labels(text: str, key: str) -> None:
    assert PRIORITY.parse(text) == key


def test_both_chinese_scripts_are_accepted() -> None:
    assert TYPE.parse("問題修復") == TYPE.parse("问题修复") == "bug"
    assert SOURCE.parse("客戶成功經理反饋") == SOURCE.parse("客户成功经理反馈") == "csm"
    assert STATUS.parse("待驗證") == "verifying"


def test_unknown_value_is_refused_with_the_choices() -> None:
    with pytest.raises(InvalidInput, match="use one of high, medium, low"):
        PRIORITY.parse("urgent")


def test_every_vocabulary_has_three_distinct_languages_per_key() -> None:
    for vocab in VOCABULARIES.values():
        for key in vocab.keys:
            assert all(vocab.label(key, lang) for lang in ("en", "zh-CN", "zh-TW"))
            assert vocab.lookup(vocab.label(key, "zh-TW")) == key


def test_template_has_18_columns_in_order() -> None:
    assert len(COLUMNS) == 18
    assert COLUMNS[0][3] == "需求編號" and COLUMNS[14][2] == "处理过程" and COLUMNS[17][1] == "Notes"


def test_language_names() -> None:
    assert normalise_language("zh_cn") == "zh-CN"
    assert normalise_language("ZH-tw") == "zh-TW"
    with pytest.raises(InvalidInput):
        normalise_language("fr")


def test_ids() -> None:
    assert format_request_id("202405", 1) == "202405-001"
    assert format_request_id("202405", 1000) == "202405-1000"
    assert parse_generated_id("202405-1000") == ("202405", 1000)
    assert parse_generated_id("TEL-002") is None


def test_date_alone_means_start_or_end_of_day() -> None:
    start = parse_time("2025-03-01", NOW, SH, "start")
    end = parse_time("2025-03-01", NOW, SH, "end")
    assert start.date_only and start.at == datetime(2025, 3, 1, tzinfo=SH)
    assert end.at == datetime(2025, 3, 1, 23, 59, 59, tzinfo=SH)


def test_forms_people_type() -> None:
    assert parse_time("2024-05-01 14:30", NOW, SH).at == datetime(2024, 5, 1, 14, 30, tzinfo=SH)
    assert parse_time("2024-05-01T14:30:00+00:00", NOW, SH).at == datetime(2024, 5, 1, 14, 30, tzinfo=timezone.utc)
    assert parse_time("today", NOW, SH).at == datetime(2025, 3, 14, tzinfo=SH)
    assert parse_time("yesterday", NOW, SH, "end").at == datetime(2025, 3, 13, 23, 59, 59, tzinfo=SH)
    assert parse_time("+3d", NOW, SH).at == NOW + timedelta(days=3)
    assert parse_time("-2h", NOW, SH).at == NOW - timedelta(hours=2)
    assert parse_time("+2wd", NOW, SH, add_working_days=lambda t, n: t + timedelta(days=10 * n)).at == NOW + timedelta(days=20)


@pytest.mark.parametrize("text", ["2025-13-01", "next blue moon", "+2wd", "-1wd"])
def test_bad_times_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_time(text, NOW, SH, add_working_days=None)


def test_durations() -> None:
    assert parse_duration("1d").as_timedelta() == timedelta(days=1)
    assert parse_duration("30m").as_timedelta() == timedelta(minutes=30)
    assert parse_duration("2wd").is_working_days
    with pytest.raises(InvalidInput):
        parse_duration("soon")


# -- worked by hand: every form of time SPEC §4 names, and the messages of the refusals ------------
SH_CALENDAR = WorkingCalendar("Asia/Shanghai")  # Monday–Friday; NOW is Friday 2025-03-14 09:30 in Shanghai


@pytest.mark.parametrize(("text", "role", "expected", "date_only"), [
    ("now", "start", "2025-03-14 09:30", False),
    ("today", "start", "2025-03-14 00:00", True),
    ("today", "end", "2025-03-14 23:59:59", True),
    ("yesterday", "start", "2025-03-13 00:00", True),
    ("tomorrow", "start", "2025-03-15 00:00", True),
    ("tomorrow", "end", "2025-03-15 23:59:59", True),
    ("+3d", "start", "2025-03-17 09:30", False),  # whole days keep the clock time
    ("-2d", "start", "2025-03-12 09:30", False),
    ("+1w", "start", "2025-03-21 09:30", False),
    ("-1w", "start", "2025-03-07 09:30", False),
    ("+1.5d", "start", "2025-03-15 21:30", False),
    ("+90m", "start", "2025-03-14 11:00", False),
    ("+30min", "start", "2025-03-14 10:00", False),
    ("+4h", "start", "2025-03-14 13:30", False),
    ("-4h", "start", "2025-03-14 05:30", False),
    ("+2wd", "start", "2025-03-18 09:30", False),  # Friday + 2 working days: Tuesday
    ("+ 1 WD", "start", "2025-03-17 09:30", False),
    ("20250301", "start", "2025-03-01 00:00", True),
    ("20250301", "end", "2025-03-01 23:59:59", True),
    ("2025/03/01", "start", "2025-03-01 00:00", True),
    ("2025-3-1", "start", "2025-03-01 00:00", True),
    ("2025-03-01 14:30", "start", "2025-03-01 14:30", False),
    ("2025-03-01 14:30", "end", "2025-03-01 14:30", False),  # a time of day is that minute, start or end
    ("2025-03-01T06:30:00Z", "start", "2025-03-01 14:30", False),  # UTC, shown in Shanghai
])
def test_every_form_of_time_worked_by_hand(text: str, role: str, expected: str, date_only: bool) -> None:
    got = parse_time(text, NOW, SH, role, SH_CALENDAR.add_working_days)  # type: ignore[arg-type]
    assert got.at == datetime.fromisoformat(expected).replace(tzinfo=SH)
    assert got.date_only is date_only


@pytest.mark.parametrize(("text", "message"), [
    ("+2.5wd", "'+2.5wd': working days count forward in whole days, e.g. +2wd"),
    ("-2wd", "'-2wd': working days count forward in whole days, e.g. +2wd"),
    ("2025-02-30", "'2025-02-30' is not a valid date"),
    ("20251301", "'20251301' is not a valid date"),
    ("someday", "cannot read 'someday' as a time; use e.g. 2024-05-01, '2024-05-01 14:30', ISO 8601, today, +3d or +2wd"),
    ("1899-12-31", "'1899-12-31' is out of range: reqtrack keeps times from 1900-01-01 to 2999-12-31"),
    ("3000-01-01", "'3000-01-01' is out of range: reqtrack keeps times from 1900-01-01 to 2999-12-31"),
    ("+99999999d", "'+99999999d' is out of range: reqtrack keeps times from 1900-01-01 to 2999-12-31"),
])
def test_times_refused_with_their_sentence(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_time(text, NOW, SH, "start", SH_CALENDAR.add_working_days)
    assert str(refused.value) == message


def test_working_days_need_a_calendar_and_the_range_edges_are_inside() -> None:
    with pytest.raises(InvalidInput, match="working days count forward"):
        parse_time("+2wd", NOW, SH)  # no calendar given
    assert parse_time("1900-01-01", NOW, SH).at == datetime(1900, 1, 1, tzinfo=SH)
    assert parse_time("2999-12-31", NOW, SH, "end").at == datetime(2999, 12, 31, 23, 59, 59, tzinfo=SH)
    assert start_of_day(date(2025, 3, 1), SH) == datetime(2025, 3, 1, 0, 0, tzinfo=SH)
    assert end_of_day(date(2025, 3, 1), SH) == datetime(2025, 3, 1, 23, 59, 59, tzinfo=SH)
    moment = utc(datetime(2025, 3, 1, 14, 30, tzinfo=SH))
    assert moment.tzinfo is timezone.utc and (moment.hour, moment.minute) == (6, 30)


@pytest.mark.parametrize(("text", "amount", "unit", "length"), [
    ("1d", 1, "d", timedelta(days=1)), ("36h", 36, "h", timedelta(hours=36)), ("30m", 30, "m", timedelta(minutes=30)),
    ("45min", 45, "m", timedelta(minutes=45)), ("1w", 1, "w", timedelta(weeks=1)), (" 2D ", 2, "d", timedelta(days=2)),
    ("1.5h", 1.5, "h", timedelta(minutes=90)), ("36500d", 36500, "d", timedelta(days=36500)),
])
def test_durations_worked_by_hand(text: str, amount: float, unit: str, length: timedelta) -> None:
    duration = parse_duration(text)
    assert (duration.amount, duration.unit, duration.is_working_days) == (amount, unit, False)
    assert duration.as_timedelta() == length
    start = datetime(2025, 3, 14, 9, 30, tzinfo=SH)
    assert duration.after(start, None) == start + length


def test_working_day_durations_and_refused_durations() -> None:
    two = parse_duration("2wd")
    assert (two.amount, two.unit, two.is_working_days) == (2, "wd", True)
    friday = datetime(2025, 3, 14, 9, 30, tzinfo=SH)
    assert two.after(friday, SH_CALENDAR.add_working_days) == datetime(2025, 3, 18, 9, 30, tzinfo=SH)
    with pytest.raises(ValueError, match="^working-day durations need a calendar$"):
        two.after(friday, None)
    with pytest.raises(ValueError, match="^working-day durations need a calendar$"):
        two.as_timedelta()
    assert Duration(1, "d").after(friday, SH_CALENDAR.add_working_days) == datetime(2025, 3, 15, 9, 30, tzinfo=SH)
    for text, message in (
        ("soon", "cannot read 'soon' as a duration; use e.g. 1d, 4h, 30m, 1w or 2wd (working days)"),
        ("1.5wd", "'1.5wd': working days are whole days"),
        ("36501d", "'36501d' is too long a window: durations go up to 36500d (100 years; working days count as days here)"),
        ("5300w", "'5300w' is too long a window: durations go up to 36500d (100 years; working days count as days here)"),
        ("40000wd", "'40000wd' is too long a window: durations go up to 36500d (100 years; working days count as days here)"),
    ):
        with pytest.raises(InvalidInput) as refused:
            parse_duration(text)
        assert str(refused.value) == message, text
    assert parse_duration("876000h").as_timedelta() == timedelta(days=36500)  # exactly the longest window


@pytest.mark.parametrize(("given", "expected"), [
    (None, "en"), ("", "en"), ("en", "en"), ("EN", "en"), ("zh-CN", "zh-CN"), ("zh_cn", "zh-CN"), (" zh-tw ", "zh-TW"),
    ("zh", "zh-CN"), ("ZH", "zh-CN"), ("zh-Hans", "zh-CN"), ("zh_hans", "zh-CN"), ("zh-Hant", "zh-TW"),
    ("zh-HK", "zh-TW"), ("cn", "zh-CN"), ("CN", "zh-CN"), ("tw", "zh-TW"),
])
def test_language_spellings(given: str | None, expected: str) -> None:
    assert normalise_language(given) == expected


def test_an_unknown_language_is_refused_naming_the_three() -> None:
    assert LANGUAGES == ("en", "zh-CN", "zh-TW")
    with pytest.raises(InvalidInput) as refused:
        normalise_language("fr")
    assert str(refused.value) == "unknown language 'fr'; use one of en, zh-CN, zh-TW"


@pytest.mark.parametrize(("key", "lang", "label"), [
    ("id", "en", "ID"), ("id", "zh-CN", "需求编号"), ("id", "zh-TW", "需求編號"),
    ("history", "zh-CN", "处理过程"), ("notes", "zh-TW", "備註"),
    ("contact", "en", "Contact"), ("contact", "zh-CN", "联系方式"), ("department", "zh-TW", "負責部門"),
    ("no-such-column", "zh-CN", "no-such-column"),
])
def test_column_labels(key: str, lang: str, label: str) -> None:
    assert column_label(key, lang) == label
    assert column_label("owner") == "Owner (dept / person)"  # English by default


def test_the_years_reqtrack_keeps() -> None:
    from reqtrack.domain.record import storable_time, year_in_range

    assert [year_in_range(y) for y in (1899, 1900, 2025, 2999, 3000)] == [False, True, True, True, False]
    utc_day = lambda *ymd: datetime(*ymd, 12, 0, tzinfo=timezone.utc)  # noqa: E731
    assert storable_time(utc_day(1899, 12, 31)) and not storable_time(utc_day(1899, 12, 30))  # a day either side
    assert storable_time(utc_day(3000, 1, 1)) and not storable_time(utc_day(3000, 1, 2))
    assert storable_time(utc_day(2025, 3, 14)) and storable_time(utc_day(1900, 1, 1))
    assert not storable_time(datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))))  # no UTC form at all


_LOG_LINE_AS_SPECIFIED = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}) (.+?)(?:: (.*))?$", re.DOTALL)


@settings(max_examples=300)
@given(st.sampled_from(["2025-03-14 09:30 ", "2025-03-14 09:30", "٢٠٢٥-03-14 09:30 ", "2025-3-14 09:30 "]),
       st.sampled_from(["", "Progress", "进展", "Registered", ":"]),
       st.text(alphabet=[":", " ", "：", "a", "\r", "\u0663", "1", "-"], max_size=12))
def test_a_process_log_line_reads_as_its_pattern_says(stamp: str, label: str, rest: str) -> None:
    """`YYYY-MM-DD HH:MM <label>[: note]`: the label up to the first ": " after its first
    character, the note the rest (what reqtrack's exports write, and the regular expression of
    docs/excel.md says)."""
    from reqtrack.domain.vocab import ACTION
    from reqtrack.excel.validator import _log_line

    line = stamp + label + rest
    match = _LOG_LINE_AS_SPECIFIED.match(line)
    entry = _log_line(line, SH)
    if match is None or ACTION.lookup(match.group(6)) is None:
        assert entry is None
    else:
        assert entry is not None
        assert (entry.action, entry.note) == (ACTION.lookup(match.group(6)), match.group(7) or "")
        assert entry.at == datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)), int(match.group(4)),
                                    int(match.group(5)), tzinfo=SH).astimezone(timezone.utc)


def test_process_log_labels_and_notes() -> None:
    from reqtrack.excel.validator import parse_process_log

    entries, cut = parse_process_log("2025-03-14 10:00 Progress: a: b\n2025-03-14 09:30 Registered", SH)
    assert entries is not None and not cut
    assert [(e.action, e.note) for e in entries] == [("new", ""), ("progress", "a: b")]

"""Vocabularies and the times people type."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from reqtrack.domain.errors import InvalidInput
from reqtrack.domain.record import format_request_id, parse_generated_id
from reqtrack.domain.timeparse import parse_duration, parse_time
from reqtrack.domain.vocab import COLUMNS, PRIORITY, SOURCE, STATUS, TYPE, VOCABULARIES, normalise_language

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

"""Build a realistic reqtrack database of N requests, for benchmarks.

    python bench/build_db.py 100000                      # -> /tmp/reqtrack-bench/reqtrack-100000.db
    python bench/build_db.py 1000000 --out /tmp/big.db --seed 7 --now 2026-11-24T09:30:00+00:00

Everything goes through reqtrack's own code: the file is created and migrated by
`reqtrack.storage.db` (so it is a real reqtrack database with the current schema), each request's
history is produced by the domain's lifecycle functions (`reqtrack.domain.lifecycle`: register,
classify, assign, progress, verify, close, rate, cancel, reopen), so statuses, `responded_at`,
`completed_at`, the `changes` of each entry and the order of events are exactly what the commands
would have written, and rows are mapped to columns and inserted by the repository's own row
functions and statements (`reqtrack.storage.repository`), in large transactions.

The data: requests over about three years before `--now` (growing over time, mostly in local
office hours on weekdays), Chinese and English descriptions, a long tail of customers (a few big
accounts, many that write once or twice), realistic type, priority and source mixes, about a tenth
of the requests open (mostly the recent ones, plus an old backlog), and histories of 1–8 entries
that follow the lifecycle (a request registered minutes ago has only its registration).

Beside the database it writes `<db>.meta.json`: the seed, `now`, the counts per status and a few
sample IDs, which `bench/run.py` uses (it pins REQTRACK_NOW to `now` so runs are comparable).
Generated databases belong under /tmp: never commit them.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from reqtrack.domain import lifecycle
from reqtrack.domain.record import Attachment, Request, format_request_id
from reqtrack.storage import repository
from reqtrack.storage.db import Database, create_database
from reqtrack.storage.engine import SQLITE

DEFAULT_DIR = Path("/tmp/reqtrack-bench")
SPAN_DAYS = 3 * 365
CHUNK = 20_000  # requests per transaction
LEAD = "lead"  # the support lead, who registers and classifies

# -- vocabulary of the generated text ------------------------------------------------------------
CN_CITIES = ["北京", "上海", "深圳", "杭州", "成都", "广州", "南京", "武汉", "西安", "苏州", "天津", "重庆", "青岛", "厦门",
             "长沙", "合肥", "郑州", "济南", "宁波", "大连"]
CN_CORES = ["华信", "智联", "恒达", "天成", "远航", "中科", "金桥", "博源", "新创", "明德", "瑞丰", "海纳", "星河", "东方",
            "盛世", "同方", "易通", "云图", "立信", "九州", "鼎盛", "安泰", "宏图", "鑫源", "凯达"]
CN_SUFFIXES = ["科技有限公司", "信息技术有限公司", "集团", "银行", "医院", "物流有限公司", "电力公司", "制造有限公司",
               "教育科技", "商贸有限公司", "证券", "保险", "地产", "零售连锁"]
CN_PROJECTS = ["CRM二期", "ERP升级", "数据中台", "移动办公", "供应链协同", "客服系统", "财务共享", "电子签章", "会员营销"]
EN_FIRST = ["Northwind", "Contoso", "Fabrikam", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell", "Acme",
            "Blue Harbor", "Silverline", "Redwood", "Summit", "Pioneer", "Evergreen", "Atlas", "Orion", "Vertex", "Harbor"]
EN_SUFFIXES = ["Traders", "Logistics", "Bank", "Health", "Retail", "Energy", "Systems", "Foods", "Insurance", "Labs",
               "Manufacturing", "Airlines"]
EN_PROJECTS = ["Portal", "Rollout 2", "Data Platform", "Mobile", "Billing Migration"]

CN_MODULES = ["订单管理", "报表中心", "客户门户", "移动端App", "结算模块", "库存系统", "工单系统", "审批流程", "数据看板",
              "消息通知", "发票管理", "会员中心", "权限管理", "接口平台"]
EN_MODULES = ["order management", "reporting", "the customer portal", "the mobile app", "billing", "inventory",
              "ticketing", "approvals", "the dashboard", "notifications", "invoicing", "the API"]
CN_THINGS = ["月度报表", "订单列表", "客户档案", "对账单", "审批记录", "库存明细", "发票", "导出文件", "统计图表"]
EN_THINGS = ["the monthly report", "the order list", "customer records", "statements", "approval logs",
             "stock details", "invoices", "the export file", "charts"]
CN_FEATURES = ["批量导入", "按部门筛选", "微信通知", "自定义字段", "多级审批", "数据导出为Excel", "单点登录", "移动端扫码"]
EN_FEATURES = ["bulk import", "filtering by department", "email alerts", "custom fields", "multi-level approval",
               "Excel export", "single sign-on", "barcode scanning"]
CN_TEMPLATES = [
    "{m}页面加载很慢，打开{t}需要{n}秒以上，影响日常使用。",
    "希望{m}支持{f}，目前只能手工处理，每周要多花{n}个小时。",
    "导出{t}时报错“系统繁忙，请稍后再试”，已经持续{n}天，请尽快处理。",
    "客户反馈{m}中的{t}与实际不一致，差异大约{n}条，需要核对。",
    "{m}的权限设置太复杂，新员工经常找不到{t}的入口。",
    "能否在{m}里增加{f}？业务部门每天都要用，现在要绕{n}步才能完成。",
    "上周升级后{m}无法打开{t}，点击没有反应，影响{n}个门店。",
    "建议{t}增加{f}，方便月底对账。",
]
EN_TEMPLATES = [
    "{m} is slow: opening {t} takes more than {n} seconds during the morning peak.",
    "Please add {f} to {m}; today we do it by hand and it costs us {n} hours a week.",
    "Exporting {t} fails with 'Service unavailable' since the last update ({n} users affected).",
    "The numbers in {t} do not match {m}; about {n} records differ.",
    "Could {m} offer {f}? Our team asks for it every week.",
    "After the upgrade {m} no longer shows {t} for {n} of our branches.",
    "Request for training material on {f} in {m}.",
]
CN_TAILS = ["", "", "", "\n联系人电话已留在备注。", "\n附件为问题截图。", "\n客户希望月底前给出答复。"]
EN_TAILS = ["", "", "", "\nScreenshots attached.", "\nThey need an answer before the quarter closes."]
CN_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
CN_TITLES = ["经理", "工", "总", "主管", "老师", "助理", "总监"]
EN_PEOPLE = ["Mr. Smith", "Ms. Taylor", "Dr. Brown", "Mrs. Wilson", "Mr. Garcia", "Ms. Nguyen", "Mr. Müller"]
DEPARTMENTS = ["研发部", "产品部", "运维部", "测试部", "客户成功部", "实施部"]
OWNERS = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "黄磊", "赵敏", "吴昊", "周婷", "徐斌", "孙丽", "马超", "朱琳",
          "胡军", "郭强", "何雪", "高峰", "林涛", "罗佳", "Alice Chen", "Bob Li", "Carol Wang", "David Zhou",
          "Emma Liu", "Frank Xu", "Grace Sun", "Henry Ma"]
LIAISONS = ["客户成功-小陈", "客户成功-小林", "CSM Amy", "CSM Kevin", "客户成功-小赵", "客户成功-小吴", "CSM Lily",
            "客户成功-小郑", "CSM Tom", "客户成功-小何", "CSM Nina", "客户成功-小冯"]
CN_PROGRESS = ["已联系客户确认需求细节", "已复现问题，定位到{m}", "开发中，预计本周完成", "方案已评审，进入开发",
               "已提交测试环境，等待验证", "与客户电话沟通，补充了使用场景", "依赖第三方接口，正在协调"]
EN_PROGRESS = ["Reproduced; the cause is in {m}", "Fix in review", "Called the customer to confirm the scope",
               "Deployed to staging for a check", "Waiting on a vendor patch"]
CN_ACK = ["已收到，正在分析", "已回复客户，会在两个工作日内给出方案", "已电话确认收到"]
EN_ACK = ["Acknowledged, we are looking into it", "Replied to the customer with next steps"]

SOURCES = (["email", "phone", "online-form", "chat", "csm", "meeting", "social", "survey", "internal", "other"],
           [25, 20, 15, 12, 10, 8, 3, 3, 3, 1])
TYPES = (["improvement", "bug", "feature", "support", "other"], [30, 30, 20, 15, 5])
PRIORITIES = (["high", "medium", "low"], [20, 52, 28])
TARGET_WORKING_DAYS = {"high": 2, "medium": 4, "low": 7}


# -- customers with a long tail --------------------------------------------------------------------
def make_customers(rng: random.Random, count: int) -> list[str]:
    """`count` distinct customer names, Chinese and English, some with a project after a slash."""
    names: list[str] = []
    seen: set[str] = set()
    cn = list(itertools.product(CN_CITIES, CN_CORES, CN_SUFFIXES))
    en = list(itertools.product(EN_FIRST, EN_SUFFIXES))
    rng.shuffle(cn)
    rng.shuffle(en)
    cn_iter, en_iter = iter(cn), iter(en)
    while len(names) < count:
        if rng.random() < 0.75:
            city, core, suffix = next(cn_iter, (rng.choice(CN_CITIES), rng.choice(CN_CORES), rng.choice(CN_SUFFIXES)))
            name = f"{city}{core}{suffix}"
            if rng.random() < 0.3:
                name += "/" + rng.choice(CN_PROJECTS)
        else:
            first, suffix = next(en_iter, (rng.choice(EN_FIRST), rng.choice(EN_SUFFIXES)))
            name = f"{first} {suffix}"
            if rng.random() < 0.3:
                name += " / " + rng.choice(EN_PROJECTS)
        if name in seen:
            name = f"{name} {len(names)}"
        seen.add(name)
        names.append(name)
    return names


def zipf_cumulative(count: int, exponent: float = 1.1) -> list[float]:
    """Cumulative weights of a Zipf law over `count` ranks (rank 1 is the biggest account)."""
    return list(itertools.accumulate(1.0 / (rank ** exponent) for rank in range(1, count + 1)))


# -- the shape of each request's life -------------------------------------------------------------
HOUR = 3600
DAY = 86400


def submission_times(rng: random.Random, n: int, now_ts: int, utc_offset: int) -> list[int]:
    """N submission times over SPAN_DAYS before now, growing over the years, in office hours."""
    start = now_ts - SPAN_DAYS * DAY
    times = []
    while len(times) < n:
        # Density grows linearly over the span (a team's volume grows): mix uniform and sqrt(u).
        u = rng.random()
        fraction = u if rng.random() < 0.35 else math.sqrt(rng.random())
        day = int(fraction * SPAN_DAYS)
        local_midnight = start - (start + utc_offset) % DAY + day * DAY
        weekday = ((local_midnight + utc_offset) // DAY + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
        if weekday >= 5 and rng.random() < 0.8:
            continue  # few requests at weekends
        hour = min(23, max(0, int(rng.gauss(13.5, 3.0))))
        at = local_midnight + hour * HOUR + rng.randrange(60) * 60
        if at < now_ts - 600:
            times.append(at)
    times.sort()
    return times


def final_status(rng: random.Random, age_days: float, pick: dict[str, Callable[[], Any]]) -> str:
    """Open mostly when recent; about a tenth open overall (recent work plus an old backlog)."""
    if age_days < 3:
        p_open = 0.97  # hardly anything goes through the whole loop within hours
    elif age_days < 14:
        p_open = 0.85
    elif age_days < 60:
        p_open = 0.45
    elif age_days < 365:
        p_open = 0.11
    else:
        p_open = 0.035
    return pick["open"]() if rng.random() < p_open else pick["closed"]()


def plan_steps(rng: random.Random, status: str, priority_at_new: bool, age_days: float,
               pick: dict[str, Callable[[], Any]]) -> list[str]:
    """The lifecycle steps after registration that lead to `status` (at most 7, so ≤ 8 entries)."""
    classify = [] if priority_at_new and rng.random() < 0.7 else ["classify"]
    progress = ["progress"] * pick["progress_count"]()
    if status == "pending":
        if age_days < 1 and rng.random() < 0.6:
            return []
        return rng.choices([[], ["classify"], ["ack"], ["classify", "ack"]], [25, 45, 10, 20])[0]
    if status == "cancelled":
        return classify + (["assign"] if rng.random() < 0.3 else []) + ["cancel"]
    work = classify + ["assign"] + progress
    if status == "in-progress":
        steps = work + (["complete", "fail"] if rng.random() < 0.08 else [])
        if rng.random() < 0.15:
            steps.append("waiting")
    elif status == "verifying":
        steps = work + ["complete"]
    elif status == "closed" and not classify and rng.random() < 0.1:
        # A recurrence: verified, reopened, fixed again and closed (exactly 8 entries).
        return ["assign", "complete", "pass", "reopen", "complete", "pass", "close"]
    else:
        loop = ["complete", "fail", "progress"] if rng.random() < 0.08 else []
        steps = work + loop + ["complete", "pass"] + (["close"] if status == "closed" else [])
        if rng.random() < (0.3 if status == "closed" else 0.1):
            steps.append("rate")
    # Keep to eight entries: drop progress notes first, then the follow-up survey.
    while len(steps) > 7 and "progress" in steps:
        steps.remove("progress")
    if len(steps) > 7 and steps[-1] == "rate":
        steps.pop()
    return steps


def gap_seconds(rng: random.Random, step: str, previous: str | None, priority: str) -> float:
    """How long after the previous entry a step happens."""
    if previous == "new":  # the first response: mostly within the day, sometimes days late
        return rng.expovariate(1 / (3 * HOUR)) if rng.random() < 0.88 else rng.uniform(1, 5) * DAY
    if step == "assign":
        return rng.uniform(0.5 * HOUR, 2 * DAY)
    if step in ("progress", "ack", "waiting"):
        return rng.uniform(2 * HOUR, 2 * DAY)
    if step == "complete":
        target = TARGET_WORKING_DAYS[priority] * 1.4 * DAY
        return min(60 * DAY, rng.lognormvariate(math.log(0.55 * target), 0.7))
    if step in ("pass", "fail"):
        return rng.uniform(2 * HOUR, 3 * DAY)
    if step == "close":
        return rng.uniform(0.1, 7) * DAY
    if step == "rate":
        return rng.uniform(1, 14) * DAY
    if step == "reopen":
        return rng.uniform(3, 60) * DAY
    if step == "cancel":
        return rng.uniform(1 * HOUR, 10 * DAY)
    return rng.uniform(1 * HOUR, 1 * DAY)


class Generator:
    """Makes the requests of one chunk, in order of submission, through the domain's lifecycle.

    Each chunk has its own random stream (seeded by the build's seed and the chunk's number), so
    a build gives the same database whether its chunks are made in one process or several.
    """

    def __init__(self, world: World, chunk_number: int) -> None:
        self.rng = random.Random(world.seed * 1_000_003 + chunk_number)
        self.world = world
        self.now = world.now
        self.now_ts = int(world.now.timestamp())
        self.tz = ZoneInfo(world.tz_name)
        self.due_ahead = False
        rng = self.rng
        # Weighted draws with precomputed cumulative weights (random.choices recomputes them).
        self.pick = {name: _weighted(rng, values, weights) for name, (values, weights) in (
            ("source", SOURCES), ("type", TYPES), ("priority", PRIORITIES),
            ("open", (["pending", "in-progress", "verifying"], [30, 55, 15])),
            ("closed", (["closed", "done", "cancelled"], [70, 20, 10])),
            ("progress_count", ([0, 1, 2, 3], [35, 35, 20, 10])),
            ("feasibility", (["now", "adjust", "defer"], [75, 18, 7])),
            ("satisfaction", (["satisfied", "neutral", "dissatisfied", None], [60, 20, 6, 14])),
            ("rating", (["satisfied", "neutral", "dissatisfied"], [70, 22, 8])),
        )}

    def customer(self) -> str:
        weights = self.world.customer_weights
        return self.world.customers[bisect.bisect_left(weights, self.rng.random() * weights[-1])]

    def description(self, chinese: bool) -> str:
        rng = self.rng
        if chinese:
            text = rng.choice(CN_TEMPLATES).format(m=rng.choice(CN_MODULES), t=rng.choice(CN_THINGS),
                                                   f=rng.choice(CN_FEATURES), n=rng.randint(2, 300))
            return text + rng.choice(CN_TAILS)
        text = rng.choice(EN_TEMPLATES).format(m=rng.choice(EN_MODULES), t=rng.choice(EN_THINGS),
                                               f=rng.choice(EN_FEATURES), n=rng.randint(2, 300))
        return text + rng.choice(EN_TAILS)

    def proposer(self, chinese: bool) -> str:
        rng = self.rng
        return rng.choice(CN_SURNAMES) + rng.choice(CN_TITLES) if chinese else rng.choice(EN_PEOPLE)

    def one(self, submitted_ts: int, request_id: str) -> Request:
        rng, pick = self.rng, self.pick
        submitted = datetime.fromtimestamp(submitted_ts, timezone.utc)
        chinese = rng.random() < 0.65
        priority = pick["priority"]()
        priority_at_new = rng.random() < 0.35
        request = Request(
            id=request_id, customer=self.customer(), description=self.description(chinese),
            submitted_at=submitted, source=pick["source"](),
            proposer=self.proposer(chinese) if rng.random() < 0.85 else None,
            contact=(f"1{rng.randint(3, 9)}{rng.randrange(10 ** 9):09d}" if rng.random() < 0.6 else None),
            type=pick["type"]() if priority_at_new or rng.random() < 0.3 else None,
            liaison=rng.choice(LIAISONS) if rng.random() < 0.7 else None,
            priority=priority if priority_at_new else None,
            notes=("VIP客户" if chinese else "Key account") if rng.random() < 0.05 else None,
        )
        note = None
        if rng.random() < 0.04:  # an attachment known by name (as an import brings them)
            name = rng.choice(["截图.png", "screenshot.png", "日志.zip", "录音.m4a", "需求说明.docx"])
            request.attachments = [Attachment(name=name, size=rng.randint(10_000, 3_000_000), added_at=submitted, number=1)]
            note = f"attachments: {name} ({request.attachments[0].size} bytes)"
        lifecycle.register(request, LEAD, self.now, note=note)

        age_days = (self.now_ts - submitted_ts) / DAY
        share = self.world.open_share
        if share is None:
            status = final_status(rng, age_days, pick)
        else:
            status = pick["open"]() if rng.random() < share else pick["closed"]()
        overdue = self.world.overdue_share
        # Planned completions are set at `assign`, so only in-progress and verifying requests have one
        # (70 % of the open ones): the share past theirs is taken among those.
        self.due_ahead = (share is not None and overdue is not None and status in ("in-progress", "verifying")
                          and rng.random() >= overdue / (share * 0.7))
        steps = plan_steps(rng, status, priority_at_new, age_days, pick)
        if not steps:
            return request
        owner = rng.choice(OWNERS)
        gaps = []
        previous = "new"
        for step in steps:
            gaps.append(gap_seconds(rng, step, previous, priority))
            previous = step
        room = (self.now_ts - 60 - submitted_ts) * 0.97
        total = sum(gaps)
        if total > room:  # squeeze the history into the time there was
            gaps = [g * room / total for g in gaps]
        at_ts = submitted_ts
        for step, gap in zip(steps, gaps):
            at_ts = at_ts + int(gap) // 60 * 60
            self.apply(request, step, datetime.fromtimestamp(at_ts, timezone.utc), owner, priority, chinese)
        return request

    def apply(self, request: Request, step: str, at: datetime, owner: str, priority: str, chinese: bool) -> None:
        rng, now, pick = self.rng, self.now, self.pick
        if step == "classify":
            scores = None
            given_priority: str | None = priority
            if rng.random() < 0.15:
                scores = {name: rng.randint(1, 10) for name in ("value", "urgency", "cost", "impact")}
                given_priority = None  # the scores decide
            reason = None
            if priority == "high":
                reason = "核心业务受影响" if chinese else "Core business affected"
            lifecycle.classify(
                request, at, now, LEAD, type=request.type or pick["type"](), priority=given_priority,
                feasibility=pick["feasibility"]() if rng.random() < 0.5 else None, reason=reason, scores=scores,
            )
        elif step == "assign":
            target = TARGET_WORKING_DAYS[request.priority or "medium"]
            due = at + timedelta(days=round(target * 1.4))
            if self.due_ahead:  # an open request whose planned completion is still to come
                due = max(due, now + timedelta(days=rng.randint(2, 40)))
            date_only = rng.random() < 0.6
            if date_only:  # a date-only due means the end of that local day
                local_day = due.astimezone(self.tz).date()
                due = datetime(local_day.year, local_day.month, local_day.day, 23, 59, 59,
                               tzinfo=self.tz).astimezone(timezone.utc)
            lifecycle.assign(request, at, now, LEAD, owner=owner, department=rng.choice(DEPARTMENTS), due=due,
                             due_is_date=date_only, reason=None)
        elif step == "progress":
            template = rng.choice(CN_PROGRESS if chinese else EN_PROGRESS)
            lifecycle.progress(request, at, now, owner, template.format(m=rng.choice(CN_MODULES if chinese else EN_MODULES)))
        elif step == "ack":
            lifecycle.progress(request, at, now, LEAD, rng.choice(CN_ACK if chinese else EN_ACK))
        elif step == "waiting":
            lifecycle.progress(request, at, now, owner, "等待客户提供测试账号" if chinese else "Waiting for the customer's test data",
                               waiting=True)
        elif step == "complete":
            lifecycle.progress(request, at, now, owner, "已修复并发布" if chinese else "Fixed and released", done=True)
        elif step == "pass":
            lifecycle.verify(request, at, now, LEAD, passed=True, satisfaction=pick["satisfaction"]())
        elif step == "fail":
            lifecycle.verify(request, at, now, LEAD, passed=False,
                             note="客户验证未通过，仍有报错" if chinese else "Still failing for the customer")
        elif step == "close":
            lifecycle.close(request, at, now, LEAD)
        elif step == "rate":
            lifecycle.rate(request, at, now, LEAD, pick["rating"](), "回访" if chinese else "Follow-up survey")
        elif step == "cancel":
            lifecycle.cancel(request, at, now, LEAD, "客户撤回需求" if chinese else "Withdrawn by the customer")
        elif step == "reopen":
            lifecycle.reopen(request, at, now, LEAD, "问题再次出现" if chinese else "The problem is back")
        else:  # pragma: no cover - a typo in plan_steps
            raise ValueError(step)


def _weighted(rng: random.Random, values: list[Any], weights: list[int]) -> Callable[[], Any]:
    cumulative = list(itertools.accumulate(weights))
    total = cumulative[-1]
    return lambda: values[bisect.bisect_right(cumulative, rng.random() * total)]


# -- rows: the repository's own mapping and statements ----------------------------------------
class RowMaker:
    """Domain requests → the rows and INSERTs `Repository.add_many` writes (storage/repository.py's
    `request_row`, `event_row`, `attachment_row`), so that the file is what the commands would
    have written; the build only batches them into large transactions."""

    def __init__(self) -> None:
        self.statements = {
            "request": SQLITE.insert("request", repository._STORED_REQUEST_COLUMNS),
            "event": SQLITE.insert("event", repository._EVENT_COLUMNS),
            "attachment": SQLITE.insert("attachment", repository._ATTACHMENT_COLUMNS),
        }

    def rows(self, requests: list[Request]) -> tuple[list[tuple], list[tuple], list[tuple]]:
        request_rows = [repository.request_row(r) for r in requests]
        event_rows = [repository.event_row(r.id, e) for r in requests for e in r.history]
        attachment_rows = [repository.attachment_row(r.id, a, None) for r in requests for a in r.attachments]
        return request_rows, event_rows, attachment_rows


# -- the whole build ------------------------------------------------------------------------
class World:
    """What every chunk shares: now, the zone, the customers, and each request's time and ID."""

    def __init__(self, n: int, seed: int, now: datetime, tz_name: str,
                 open_share: float | None = None, overdue_share: float | None = None) -> None:
        self.n, self.seed, self.now, self.tz_name = n, seed, now, tz_name
        # A shape of one's own (bench/taskwarrior.py --open-share): this share open whatever the
        # age, and of all requests about `overdue_share` past a planned completion (the other open
        # ones get theirs in the coming weeks). None: the realistic shape (about a tenth open).
        self.open_share, self.overdue_share = open_share, overdue_share
        rng = random.Random(seed)
        tz = ZoneInfo(tz_name)
        now_ts = int(now.timestamp())
        utc_offset = int(now.astimezone(tz).utcoffset().total_seconds())  # type: ignore[union-attr]
        count = max(60, int(2 * n ** 0.6))
        self.customers = make_customers(rng, count)
        self.customer_weights = zipf_cumulative(count)
        self.times = submission_times(rng, n, now_ts, utc_offset)
        # IDs: YYYYMM-NNN by local month of submission, numbered in order of submission.
        self.ids: list[str] = []
        sequence: dict[str, int] = {}
        for ts in self.times:
            month = datetime.fromtimestamp(ts, tz).strftime("%Y%m")
            sequence[month] = sequence.get(month, 0) + 1
            self.ids.append(format_request_id(month, sequence[month]))


_WORLD: World | None = None  # set before the worker processes fork


def make_chunk(chunk_number: int) -> dict[str, Any]:
    """Generate one chunk of requests and return its rows and its tallies."""
    world = _WORLD
    assert world is not None
    generator = Generator(world, chunk_number)
    start = chunk_number * CHUNK
    requests = [generator.one(ts, rid) for ts, rid in
                zip(world.times[start:start + CHUNK], world.ids[start:start + CHUNK])]
    counts: dict[str, int] = {}
    samples: dict[str, str] = {}
    longest = ("", 0)
    for request in requests:
        counts[request.status] = counts.get(request.status, 0) + 1
        samples.setdefault(request.status, request.id)
        if request.status == "closed" and len(request.history) > longest[1]:
            longest = (request.id, len(request.history))
    request_rows, event_rows, attachment_rows = RowMaker().rows(requests)
    return {"requests": request_rows, "events": event_rows, "attachments": attachment_rows,
            "counts": counts, "samples": samples, "longest": longest}


def build(path: Path, n: int, seed: int, now: datetime, tz_name: str, jobs: int = 1,
          progress: Callable[[str], None] = lambda _: None, open_share: float | None = None,
          overdue_share: float | None = None) -> dict[str, Any]:
    """Create `path` (which must not exist) with N generated requests; returns the meta data."""
    global _WORLD
    started = time.perf_counter()
    if path.exists():
        raise SystemExit(f"{path} exists; remove it first (or use --force)")
    create_database(path, tz_name)
    db = Database.open(path, write=True)  # recognised and migrated by reqtrack itself
    _WORLD = World(n, seed, now, tz_name, open_share, overdue_share)
    chunks = range((n + CHUNK - 1) // CHUNK)
    statements = RowMaker().statements
    counts: dict[str, int] = {}
    samples: dict[str, str] = {}
    longest = ("", 0)
    events = done = 0
    conn = db.raw_connection()
    # A throwaway file: durability during the build buys nothing, and syncing is the slow part.
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    pool = None
    try:
        if jobs > 1 and len(chunks) > 1:
            import multiprocessing

            pool = multiprocessing.get_context("fork").Pool(jobs)
            results: Iterator[dict[str, Any]] = pool.imap(make_chunk, chunks)
        else:
            results = map(make_chunk, chunks)
        for result in results:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(statements["request"], result["requests"])
            conn.executemany(statements["event"], result["events"])
            if result["attachments"]:
                conn.executemany(statements["attachment"], result["attachments"])
            conn.execute("COMMIT")
            for status, count in result["counts"].items():
                counts[status] = counts.get(status, 0) + count
            for status, rid in result["samples"].items():
                samples.setdefault(status, rid)
            if result["longest"][1] > longest[1]:
                longest = result["longest"]
            events += len(result["events"])
            done += len(result["requests"])
            progress(f"{done:,} requests, {events:,} events ({time.perf_counter() - started:.0f} s)")
        # The stored running deadlines that `overdue` reads and the report facts that `report`
        # reads, computed by reqtrack's own service as every write command keeps them (the
        # facts of every request: the first write to a database without them fills them).
        progress(f"running deadlines of {_keep_derived_data(path, now):,} "
                 f"open requests and the report facts of every request stored "
                 f"({time.perf_counter() - started:.0f} s)")
        # No ANALYZE: a user's database has no planner statistics either, and the plans must be
        # good without them.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        if pool is not None:
            pool.terminate()
        conn.close()
        _WORLD = None
    open_count = sum(counts.get(s, 0) for s in ("pending", "in-progress", "verifying"))
    meta = {
        "n": n, "seed": seed, "now": now.isoformat(), "timezone": tz_name, "counts": counts, "open": open_count,
        "open_share": open_share, "overdue_share": overdue_share,
        "events": events, "customers": max(60, int(2 * n ** 0.6)),
        "sample_ids": {**samples, "longest_history": longest[0]},
        "build_seconds": round(time.perf_counter() - started, 1),
        "bytes": path.stat().st_size,
    }
    meta_path(path).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
    return meta


def _keep_derived_data(path: Path, now: datetime) -> int:
    """Compute the stored running deadlines of every open request, the report facts and the search
    documents of every request, the JSON texts of the open ones, as reqtrack's own services keep
    them (what `config set` and `reindex` do); returns how many open requests have running deadlines."""
    from reqtrack.services import Context, inputs
    from reqtrack.services.upkeep import keep_deadlines
    from reqtrack.storage.json_docs import rebuild_json_docs

    ctx = Context(db_path=path, actor="bench", clock=lambda: now)
    with ctx.unit_of_work(write=True) as uow:
        given = inputs(uow, ctx)
        keep_deadlines(uow, given, [], recompute=True)
        uow.requests.rebuild_search_docs()  # the rows went in beside the services: their search documents too
        rebuild_json_docs(uow.requests, given.tz)  # ... and the open requests' JSON texts
        uow.commit()
    with ctx.reader() as reader:
        return int(reader.conn.execute("SELECT count(*) FROM sla_open").fetchone()[0])


def meta_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".meta.json")


def default_path(n: int) -> Path:
    return DEFAULT_DIR / f"reqtrack-{n}.db"


def default_now() -> datetime:
    """This hour, so that Taskwarrior (which cannot pin its clock) sees the same 'now' give or take."""
    return datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of requests (e.g. 10000, 100000, 1000000)")
    parser.add_argument("--out", type=Path, help=f"database file (default {DEFAULT_DIR}/reqtrack-N.db)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--now", help="ISO time with offset the data ends at (default: this hour)")
    parser.add_argument("--tz", default="Asia/Shanghai", help="the database's time zone (calendar.timezone)")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="processes that generate requests while the main one writes (default: 2)")
    parser.add_argument("--open-share", type=float, metavar="F",
                        help="this share of the requests open, whatever their age (default: about a tenth, mostly recent)")
    parser.add_argument("--overdue-share", type=float, metavar="F",
                        help="with --open-share: about this share of all requests past their planned completion")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    path = (args.out or default_path(args.n)).expanduser()
    now = datetime.fromisoformat(args.now).astimezone(timezone.utc) if args.now else default_now()
    if args.force:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), meta_path(path)):
            leftover.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    say = (lambda _: None) if args.quiet else (lambda text: print(text, file=sys.stderr, flush=True))
    meta = build(path, args.n, args.seed, now, args.tz, args.jobs, say, args.open_share, args.overdue_share)
    say(f"{path}: {meta['n']:,} requests, {meta['events']:,} events, {meta['open']:,} open, "
        f"{meta['bytes'] / 1e6:.0f} MB, built in {meta['build_seconds']} s")
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The one label table: every word a screen, a sheet or a message shows, in en, zh-CN and zh-TW.

`label(key, lang, **values)` looks a key up and fills its {placeholders}. The vocabularies
(status, priority, type…) keep their labels in `domain.vocab`, because input is parsed by them;
the languages and their order are `domain.vocab.LANGUAGES`, used here and there alike.

Keys are grouped by prefix: none for the report's figures and headings, `sheet.` for the report
workbook's sheet names, `reason.` for why a request is on the overdue list; an area adds its own
prefix (e.g. `export.` for the export's information sheet).
"""

from __future__ import annotations

from typing import Any

from ..domain.vocab import LANGUAGES

__all__ = ["LABELS", "LANGUAGES", "label", "lang_index", "reason_label"]


def lang_index(lang: str) -> int:
    """The position of `lang` in LANGUAGES and in every (en, zh-CN, zh-TW) tuple; English for
    a language not known (the CLI refuses those before anything is shown)."""
    try:
        return LANGUAGES.index(lang)
    except ValueError:
        return 0


LABELS: dict[str, tuple[str, str, str]] = {
    # key: (en, zh-CN, zh-TW)
    # -- the report: figures, headings, distributions (screen and workbook) -----------------------
    "title": ("Requirements report", "客户需求报告", "客戶需求報告"),
    "period": ("Period", "统计周期", "統計週期"),
    "as_of": ("as of", "截至", "截至"),
    "timezone": ("Time zone", "时区", "時區"),
    "new": ("New", "新增", "新增"),
    "completed": ("Completed", "完成", "完成"),
    "closed": ("Closed", "关闭", "關閉"),
    "cancelled": ("Cancelled", "取消", "取消"),
    "reopened": ("Reopened", "重新打开", "重新打開"),
    "backlog": ("Open backlog", "未结需求", "未結需求"),
    "overdue_now": ("Overdue now", "当前超期", "當前超期"),
    "figure": ("Figure", "指标", "指標"),
    "value": ("Value", "数值", "數值"),
    "target": ("Target", "目标", "目標"),
    "verdict": ("Met?", "是否达标", "是否達標"),
    "met": ("met", "达标", "達標"),
    "missed": ("missed", "未达标", "未達標"),
    "no_data": ("no data", "无数据", "無數據"),
    "first_response": ("First response within {hours} h", "{hours}小时内首次响应率", "{hours}小時內首次響應率"),
    "mean_resolution": ("Mean resolution", "平均解决时长", "平均解決時長"),
    "priority_sla": ("{priority} priority: resolved within {days} wd", "{priority}优先级{days}个工作日内解决",
                     "{priority}優先級{days}個工作日內解決"),
    "mean_wd": ("Mean (wd)", "平均（工作日）", "平均（工作日）"),
    "resolution": ("Resolution (working days)", "解决时长（工作日）", "解決時長（工作日）"),
    "mean": ("mean", "平均", "平均"),
    "median": ("median", "中位数", "中位數"),
    "p90": ("90th percentile", "90分位", "90分位"),
    "count": ("count", "数量", "數量"),
    "completions": ("completions", "项完成", "項完成"),
    "sla_compliance": ("SLA compliance", "SLA达标率", "SLA達標率"),
    "within_target": ("within target", "达标数", "達標數"),
    "target_days": ("target (wd)", "目标（工作日）", "目標（工作日）"),
    "on_time": ("On time vs planned", "按计划完成率", "按計劃完成率"),
    "first_pass": ("First-pass verification", "一次验证通过率", "一次驗證通過率"),
    "recurrence": ("Recurrence ((reopens + recurrences) ÷ completions)", "复现率（(重开+复现)÷完成）", "復現率（(重開+復現)÷完成）"),
    "satisfaction": ("Satisfaction", "客户满意度", "客戶滿意度"),
    "satisfaction_rate": ("Satisfaction rate", "满意率", "滿意率"),
    "satisfied": ("Satisfied", "满意", "滿意"),
    "neutral": ("Neutral", "一般", "一般"),
    "dissatisfied": ("Dissatisfied", "不满意", "不滿意"),
    "by_type": ("By type", "按类型", "按類型"),
    "by_source": ("By source", "按来源", "按來源"),
    "by_priority": ("By priority", "按优先级", "按優先級"),
    "by_customer": ("By customer", "按客户", "按客戶"),
    "by_owner": ("By owner", "按负责人", "按負責人"),
    "distributions": ("Distributions", "分布", "分佈"),
    "owners": ("Owners", "负责人", "負責人"),
    "owner": ("Owner", "负责人", "負責人"),
    "department": ("Department", "部门", "部門"),
    "open": ("Open", "未结", "未結"),
    "median_resolution": ("Median resolution (wd)", "解决时长中位数（工作日）", "解決時長中位數（工作日）"),
    "overdue": ("Overdue", "超期", "超期"),
    "median_wd": ("Median wd", "中位工作日", "中位工作日"),
    "sla_short": ("SLA", "SLA", "SLA"),
    "trend": ("Monthly trend", "月度趋势", "月度趨勢"),
    "month": ("Month", "月份", "月份"),
    "new_growth": ("New, month on month", "新增环比", "新增環比"),
    "completed_growth": ("Completed, month on month", "完成环比", "完成環比"),
    "funnel": ("Funnel", "处理漏斗", "處理漏斗"),
    "stage": ("Stage", "阶段", "階段"),
    "share": ("Share of received", "占接收比例", "佔接收比例"),
    "sla": ("SLA by priority", "分优先级SLA", "分優先級SLA"),
    "priority": ("Priority", "优先级", "優先級"),
    "summary": ("Summary", "概览", "概覽"),
    "requests": ("Requests", "需求明细", "需求明細"),
    "id": ("ID", "需求编号", "需求編號"),
    "reason": ("Reason", "原因", "原因"),
    "deadline": ("Deadline", "截止时间", "截止時間"),
    "late_wd": ("Late (wd)", "超期（工作日）", "超期（工作日）"),
    "status": ("Status", "状态", "狀態"),
    "customer": ("Customer", "客户", "客戶"),
    "description": ("Description", "需求描述", "需求描述"),
    "unset": ("(not set)", "（未设置）", "（未設置）"),
    "unassigned": ("(unassigned)", "（未分配）", "（未分配）"),
    "wd": ("wd", "工作日", "工作日"),
    "nothing_overdue": ("Nothing overdue.", "无超期需求。", "無超期需求。"),
    "written": ("Workbook written to {path}", "工作簿已写入 {path}", "活頁簿已寫入 {path}"),
    "more": ("… {n} more", "……另有 {n} 项", "……另有 {n} 項"),
    "received": ("Received", "接收", "接收"),
    "assessed": ("Assessed", "已评估", "已評估"),
    "assigned": ("Assigned", "已分配", "已分配"),
    "verified": ("Verified", "验证通过", "驗證通過"),
    "in_time": ("in time", "及时", "及時"),
    "late": ("late", "超时", "超時"),
    "not_yet_due": ("not yet due", "未到期", "未到期"),
    # -- the report workbook's sheet names -------------------------------------------------------
    "sheet.summary": ("Summary", "概览", "概覽"),
    "sheet.distributions": ("Distributions", "分布", "分佈"),
    "sheet.trend": ("Trend", "月度趋势", "月度趨勢"),
    "sheet.sla": ("SLA", "SLA", "SLA"),
    "sheet.owners": ("Owners", "负责人", "負責人"),
    "sheet.funnel": ("Funnel", "处理漏斗", "處理漏斗"),
    "sheet.overdue": ("Overdue", "超期清单", "超期清單"),
    "sheet.requests": ("Requests", "需求明细", "需求明細"),
    # -- why a request is on the overdue list (`overdue`, the report's overdue sheet) -------------
    "reason.response": ("no response", "未响应", "未響應"),
    "reason.plan": ("no plan (high)", "未出方案(高)", "未出方案(高)"),
    "reason.resolution": ("resolution", "解决超时", "解決超時"),
    "reason.due": ("past planned date", "超过计划完成时间", "超過計劃完成時間"),
    "reason.due-soon": ("due soon", "即将到期", "即將到期"),
    "reason.stale": ("no update", "长时间未更新", "長時間未更新"),
    # -- the export's sheets (`export`): sheet names, the info sheet, cell words ------------------
    "export.sheet.requests": ("Requests", "需求", "需求"),
    "export.sheet.info": ("Export", "导出信息", "匯出資訊"),
    "export.masked": ("Masked", "已脱敏", "已遮蔽"),
    "export.masked_yes": ("yes: personal names hidden (first character kept); reqtrack refuses to import this file",
                          "是：人名已隐藏（保留首字）；reqtrack 拒绝导入此文件",
                          "是：人名已隱藏（保留首字）；reqtrack 拒絕匯入此檔案"),
    "export.masked_no": ("no", "否", "否"),
    "export.exported_at": ("Exported at", "导出时间", "匯出時間"),
    "export.timezone": ("Time zone", "时区", "時區"),  # import reads the zone next to any of these
    "export.by": ("Exported by", "导出人", "匯出人"),
    "export.rows": ("Requests", "需求数", "需求數"),
    "export.filters": ("Filters", "筛选条件", "篩選條件"),
    "export.no_filters": ("none (every request)", "无（全部需求）", "無（全部需求）"),
    "export.language": ("Language", "语言", "語言"),
    "export.columns": ("Columns", "列", "欄位"),
    "export.notices": ("Notices", "说明", "說明"),
    "export.version": ("reqtrack version", "reqtrack 版本", "reqtrack 版本"),
    "export.yes": ("yes", "是", "是"),  # the "waiting on customer" cell of an --extra export
    # -- customer notices (views/notices.py): a target in the unit of its setting ----------------
    "notice.within_hour": ("within {n} hour", "{n}小时内", "{n}小時內"),
    "notice.within_hours": ("within {n} hours", "{n}小时内", "{n}小時內"),
    "notice.within_wd": ("within {n} working day", "{n}个工作日内", "{n}個工作天內"),
    "notice.within_wds": ("within {n} working days", "{n}个工作日内", "{n}個工作天內"),
    # -- what `remind` asks a person to do (domain/remind.py ACTIONS) -----------------------------
    "remind.breached": ("deadline passed", "已超期，请尽快处理", "已逾期，請盡快處理"),
    "remind.stale": ("no update", "长时间未更新进度", "長時間未更新進度"),
    "remind.due-soon": ("deadline near", "即将到期", "即將到期"),
    "remind.assign": ("assign it", "待分配负责人", "待指派負責人"),
    "remind.acknowledge": ("acknowledge to the customer", "待向客户确认受理", "待向客戶確認受理"),
    "remind.update-customer": ("update the customer", "待向客户同步进度", "待向客戶同步進度"),
    "remind.chase-verification": ("chase the customer's verification", "待催促客户验证", "待催促客戶驗證"),
    "remind.send-survey": ("send the satisfaction survey", "待发送满意度回访", "待發送滿意度回訪"),
    "remind.nobody": ("(nobody: no owner or liaison)", "（无人：未设负责人或对接人）", "（無人：未設負責人或對接人）"),
    # -- a period not over yet, and the printed pages (the report and its workbook) ---------------
    "to_date": ("to date", "截至目前", "截至目前"),
    "to_date_day": ("to date (day {n} of {total})", "截至目前（第 {n} 天，共 {total} 天）", "截至目前（第 {n} 天，共 {total} 天）"),
    "month_note": ("{month} ({note})", "{month}（{note}）", "{month}（{note}）"),
    "growth_same_time": ("growth vs the same time of {month}", "环比为与 {month} 同期相比", "環比為與 {month} 同期相比"),
    "until": ("until {time}", "截至 {time}", "截至 {time}"),
    "value_to_date": ("Value (to date)", "数值（截至目前）", "數值（截至目前）"),
    "note": ("Note", "备注", "備註"),
    "page_footer": ("&A — page &P of &N", "&A — 第 &P 页，共 &N 页", "&A — 第 &P 頁，共 &N 頁"),
    # -- `config set calendar.timezone`: what moves with a new zone (views/sla.py) ---------------
    "zone.changed": ("The time zone changed from {old} to {new}.", "时区已从 {old} 改为 {new}。", "時區已從 {old} 改為 {new}。"),
    "zone.dates_kept": ("Planned completions given as dates keep their dates ({n} of them: now the end of that day in "
                        "{new}; each request's history records it).",
                        "{n} 个按日期填写的计划完成时间保持原日期（改为 {new} 当天结束，并记入各需求的处理过程）。",
                        "{n} 個按日期填寫的計畫完成時間保持原日期（改為 {new} 當天結束，並記入各需求的處理過程）。"),
    "zone.moments": ("Recorded times are the same moments, now shown in {new}; months, working days and holidays "
                     "are counted in {new} from now on.",
                     "已记录的时间点不变，改按 {new} 显示；月份、工作日和节假日此后均按 {new} 计算。",
                     "已記錄的時間點不變，改按 {new} 顯示；月份、工作日和節假日此後均按 {new} 計算。"),
    # -- the vocabularies of the team (`vocab`, the routing of `assign`, `--help`) -----------------
    "vocab.field": ("Field", "字段", "欄位"),
    "vocab.key": ("Key", "键", "鍵"),
    "vocab.aliases": ("Aliases", "别名", "別名"),
    "vocab.department": ("Default department", "默认处理部门", "預設處理部門"),
    "vocab.state": ("State", "状态", "狀態"),
    "vocab.uses": ("Requests", "需求数", "需求數"),
    "vocab.built_in": ("built-in", "内置", "內建"),
    "vocab.edited": ("built-in, edited", "内置（已修改）", "內建（已修改）"),
    "vocab.own": ("this database's", "本库自定义", "本庫自訂"),
    "vocab.retired": ("retired", "已停用", "已停用"),
    "vocab.added": ("added {field} {name}: {labels}", "已新增{field} {name}：{labels}", "已新增{field} {name}：{labels}"),
    "vocab.filled": ("the {which} label was taken from {source}; change it with `reqtrack vocab edit {field} {name} --{which} …`",
                     "{which} 名称取自 {source}；可用 `reqtrack vocab edit {field} {name} --{which} …` 修改",
                     "{which} 名稱取自 {source}；可用 `reqtrack vocab edit {field} {name} --{which} …` 修改"),
    "vocab.the_key": ("the key", "键", "鍵"),
    "vocab.edited_line": ("changed {field} {name}: {labels}", "已修改{field} {name}：{labels}", "已修改{field} {name}：{labels}"),
    "vocab.retired_line": ("retired {field} {name} ({label}): new requests cannot take it; {uses} request(s) keep it",
                           "已停用{field} {name}（{label}）：新需求不可再用；{uses} 条已有需求保留",
                           "已停用{field} {name}（{label}）：新需求不可再用；{uses} 條已有需求保留"),
    "vocab.restored_line": ("restored {field} {name} ({label}): new requests may take it again",
                            "已恢复{field} {name}（{label}）：新需求可再使用",
                            "已恢復{field} {name}（{label}）：新需求可再使用"),
    "vocab.already_retired": ("{field} {name} ({label}) is retired already", "{field} {name}（{label}）已是停用状态",
                              "{field} {name}（{label}）已是停用狀態"),
    "vocab.not_retired": ("{field} {name} ({label}) is not retired", "{field} {name}（{label}）未停用",
                          "{field} {name}（{label}）未停用"),
    "vocab.routed": ("department {dept}: routed by the request's type {type} (its default department)",
                     "根据需求类型（{type}）分配至对应处理部门：{dept}",
                     "根據需求類型（{type}）分配至對應處理部門：{dept}"),
    # -- links, search and likely duplicates (views/links.py) --------------------------------------
    "links": ("Links", "关联需求", "關聯需求"),
    "link.out.related": ("related to {id}", "与 {id} 相关", "與 {id} 相關"),
    "link.in.related": ("related to {id}", "与 {id} 相关", "與 {id} 相關"),
    "link.out.duplicate": ("duplicate of {id}", "与 {id} 重复", "與 {id} 重複"),
    "link.in.duplicate": ("has duplicate {id}", "重复需求 {id}", "重複需求 {id}"),
    "link.out.recurrence": ("recurrence of {id}", "{id} 的复现", "{id} 的復現"),
    "link.in.recurrence": ("recurred as {id}", "复现为 {id}", "復現為 {id}"),
    "link.out.depends-on": ("depends on {id}", "依赖 {id}", "依賴 {id}"),
    "link.in.depends-on": ("needed by {id}", "被 {id} 依赖", "被 {id} 依賴"),
    "link.done": ("{id}: {what}", "{id}：{what}", "{id}：{what}"),
    "link.removed": ("{id}: no longer linked to {other}", "{id}：已取消与 {other} 的关联", "{id}：已取消與 {other} 的關聯"),
    "search.score": ("score", "得分", "得分"),
    "search.match": ("match", "匹配内容", "匹配內容"),
    "search.none": ("Nothing matches.", "没有匹配的需求。", "沒有符合的需求。"),
    "search.more": ("{shown} shown, best first; --limit N for more", "显示 {shown} 条，最佳匹配在前；--limit N 显示更多",
                    "顯示 {shown} 筆，最佳匹配在前；--limit N 顯示更多"),
    "similar.warning": ("{id} looks like the same problem as:", "{id} 可能与以下需求重复：", "{id} 可能與以下需求重複："),
    "similar.same_customer": ("same customer", "同一客户", "同一客戶"),
    "similar.none": ("No open request looks like the same problem.", "没有看起来相同的未结需求。",
                     "沒有看起來相同的未結需求。"),
    "similar.header": ("Open requests that look like the same problem as {id}:", "与 {id} 可能重复的未结需求：",
                       "與 {id} 可能重複的未結需求："),
    "reindex.done": ("search index rebuilt: {documents} requests, {size}", "搜索索引已重建：{documents} 条需求，{size}",
                     "搜尋索引已重建：{documents} 筆需求，{size}"),
    # -- the `remind` screen and the digest each person gets by e-mail (views/remind.py) ----------
    "remind.todo": ("To do", "待办事项", "待辦事項"),
    "remind.since": ("Since", "起始时间", "起始時間"),
    "remind.heading": ("{person}: {n} to do", "{person}：{n}项待办", "{person}：{n}項待辦"),
    "remind.nothing": ("Nothing to do as of {as_of}.", "截至{as_of}，暂无待办事项。", "截至{as_of}，暫無待辦事項。"),
    "remind.summary": ("{n} to do for {people} people, as of {as_of}.", "共{n}项待办，涉及{people}人，截至{as_of}。",
                       "共{n}項待辦，涉及{people}人，截至{as_of}。"),
    "remind.mail.subject": ("[reqtrack] {n} to do as of {as_of}", "【需求待办提醒】截至{as_of}，您有{n}项待办",
                            "【需求待辦提醒】截至{as_of}，您有{n}項待辦"),
    "remind.mail.greeting": ("Hello {person},", "{person}，您好：", "{person}您好："),
    "remind.mail.intro": ("As of {as_of}, these requests need you:", "截至{as_of}，以下需求需要您跟进处理：",
                          "截至{as_of}，以下需求需要您跟進處理："),
    "remind.mail.deadline": ("deadline {deadline}", "截止时间：{deadline}", "截止時間：{deadline}"),
    "remind.mail.since": ("since {since}", "起始时间：{since}", "起始時間：{since}"),
    "remind.mail.customer": ("Customer: {customer}", "客户：{customer}", "客戶：{customer}"),
    "remind.mail.request": ("Request: {description}", "需求：{description}", "需求：{description}"),
    "remind.mail.closing": ("The list: reqtrack remind --person {person}; one request: reqtrack show ID.",
                            "查看清单：reqtrack remind --person {person}；查看需求详情：reqtrack show 需求编号。",
                            "查看清單：reqtrack remind --person {person}；查看需求詳情：reqtrack show 需求編號。"),
    "remind.mail.signature": ("(sent by reqtrack)", "（本邮件由 reqtrack 自动发送，请勿直接回复）",
                              "（本郵件由 reqtrack 自動發送，請勿直接回覆）"),
}


def label(key: str, lang: str, **values: Any) -> str:
    """The label `key` in `lang`, with its {placeholders} filled from `values`."""
    text = LABELS[key][lang_index(lang)]
    return text.format(**values) if values else text


def reason_label(reason: str, lang: str) -> str:
    """Why a request is on the overdue list, in `lang` (an unknown reason as it is)."""
    key = f"reason.{reason}"
    return label(key, lang) if key in LABELS else reason

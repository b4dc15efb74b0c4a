"""The error sentences of the rules (`domain/`) in simplified and traditional Chinese: English
template -> (zh-CN, zh-TW), with the same placeholders."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # -- the lifecycle (domain/lifecycle.py) ------------------------------------------------------
    "request {rid} is {status}, so `{command}` cannot run; {hint}": (
        "需求 {rid} 的状态是「{status}」，不能执行 `{command}`；{hint}",
        "需求 {rid} 的狀態是「{status}」，不能執行 `{command}`；{hint}"),
    "a cancelled request is final; register it again with `reqtrack new` if the need is back": (
        "已取消的需求不能再变更；如果仍有此需要，请用 `reqtrack new` 重新登记",
        "已取消的需求不能再變更；如果仍有此需要，請用 `reqtrack new` 重新登記"),
    "a closed request is read-only; reopen it first with `reqtrack reopen {rid} --reason ...`": (
        "已关闭的需求只能查看；请先用 `reqtrack reopen {rid} --reason ...` 重新打开",
        "已關閉的需求只能檢視；請先用 `reqtrack reopen {rid} --reason ...` 重新打開"),
    "its work is verified; reopen it with `reqtrack reopen {rid} --reason ...` if more is needed": (
        "它的工作已通过验证；如需继续处理，请用 `reqtrack reopen {rid} --reason ...` 重新打开",
        "它的工作已通過驗證；如需繼續處理，請用 `reqtrack reopen {rid} --reason ...` 重新打開"),
    "assign it first with `reqtrack assign {rid} --owner NAME`": (
        "请先用 `reqtrack assign {rid} --owner 姓名` 分配负责人",
        "請先用 `reqtrack assign {rid} --owner 姓名` 分配負責人"),
    "assign it (`reqtrack assign {rid} --owner NAME`) and report the work done first": (
        "请先分配负责人（`reqtrack assign {rid} --owner 姓名`），并报告工作已完成",
        "請先分配負責人（`reqtrack assign {rid} --owner 姓名`），並報告工作已完成"),
    "report the work done first with `reqtrack progress {rid} NOTE --done`": (
        "请先用 `reqtrack progress {rid} 说明 --done` 报告工作已完成",
        "請先用 `reqtrack progress {rid} 說明 --done` 報告工作已完成"),
    "verify it first with `reqtrack verify {rid} --pass`": (
        "请先用 `reqtrack verify {rid} --pass` 完成验证",
        "請先用 `reqtrack verify {rid} --pass` 完成驗證"),
    "finish and verify it first, or cancel it with `reqtrack cancel {rid} --reason ...`": (
        "请先完成并验证，或用 `reqtrack cancel {rid} --reason ...` 取消",
        "請先完成並驗證，或用 `reqtrack cancel {rid} --reason ...` 取消"),
    "it is still open; record what happens with `reqtrack progress` instead": (
        "它仍在处理中；请改用 `reqtrack progress` 记录进展",
        "它仍在處理中；請改用 `reqtrack progress` 記錄進展"),
    "satisfaction is recorded when the work is verified: `reqtrack verify {rid} --pass --satisfaction S`": (
        "满意度在验证通过时记录：`reqtrack verify {rid} --pass --satisfaction 满意度`",
        "滿意度在驗證通過時記錄：`reqtrack verify {rid} --pass --satisfaction 滿意度`"),
    "it is waiting for verification: `reqtrack verify {rid} --pass` or `--fail --note ...`": (
        "它正在等待验证：`reqtrack verify {rid} --pass` 或 `--fail --note ...`",
        "它正在等待驗證：`reqtrack verify {rid} --pass` 或 `--fail --note ...`"),
    "`{command}` applies to requests that are {allowed}": (
        "`{command}` 只适用于状态为{allowed}的需求",
        "`{command}` 只適用於狀態為{allowed}的需求"),
    "--at {at} is in the future": (
        "--at {at} 是将来的时间",
        "--at {at} 是未來的時間"),
    "--at {at} is before the latest event of request {rid} ({latest}); history is kept in order": (
        "--at {at} 早于需求 {rid} 的最近一条记录（{latest}）；处理过程按时间顺序记录",
        "--at {at} 早於需求 {rid} 的最近一筆記錄（{latest}）；處理過程按時間順序記錄"),
    "--at {at} is before request {rid} was submitted ({submitted})": (
        "--at {at} 早于需求 {rid} 的提出时间（{submitted}）",
        "--at {at} 早於需求 {rid} 的提出時間（{submitted}）"),
    "{what} is required": (
        "{what}为必填项",
        "{what}為必填項"),
    "the description": ("需求描述", "需求描述"),
    "the progress note": ("进度说明", "進度說明"),
    "classify needs at least one of --type, --priority, --feasibility, --reason or the scores": (
        "classify 至少需要 --type、--priority、--feasibility、--reason 或评分中的一项",
        "classify 至少需要 --type、--priority、--feasibility、--reason 或評分中的一項"),
    "request {rid} has no priority yet; set one first with `reqtrack classify {rid} --priority P`": (
        "需求 {rid} 还没有优先级；请先用 `reqtrack classify {rid} --priority 优先级` 设置",
        "需求 {rid} 還沒有優先級；請先用 `reqtrack classify {rid} --priority 優先級` 設定"),
    "--due is before the request was submitted": (
        "--due 早于需求的提出时间",
        "--due 早於需求的提出時間"),
    "--done and --waiting exclude each other": (
        "--done 与 --waiting 不能同时使用",
        "--done 與 --waiting 不能同時使用"),
    "a failed verification needs its reason: --note \"what is still wrong\"": (
        "验证不通过时须说明原因：--note \"仍有哪些问题\"",
        "驗證不通過時須說明原因：--note \"仍有哪些問題\""),
    "satisfaction is recorded with a pass (or later with `rate`), not with a fail": (
        "满意度只在验证通过时记录（或之后用 `rate` 记录），验证不通过时不能记录",
        "滿意度只在驗證通過時記錄（或之後用 `rate` 記錄），驗證不通過時不能記錄"),
    "--submitted-at {at} is in the future": (
        "--submitted-at {at} 是将来的时间",
        "--submitted-at {at} 是未來的時間"),
    "--submitted-at {at} is after the request's first history entry ({first}); a request is submitted first": (
        "--submitted-at {at} 晚于需求的第一条处理记录（{first}）；需求须先提出，后处理",
        "--submitted-at {at} 晚於需求的第一筆處理記錄（{first}）；需求須先提出，後處理"),
    "cannot edit {fields}; editable: {editable}": (
        "不能修改 {fields}；可修改的字段：{editable}",
        "不能修改 {fields}；可修改的欄位：{editable}"),
    "edit needs at least one field to change, e.g. --description or --customer": (
        "edit 至少需要一个要修改的字段，例如 --description 或 --customer",
        "edit 至少需要一個要修改的欄位，例如 --description 或 --customer"),
    "nothing changes: request {rid} already has these values": (
        "没有任何变化：需求 {rid} 已经是这些值",
        "沒有任何變化：需求 {rid} 已經是這些值"),
    "unknown notice kind {kind!r}; use one of {kinds}": (
        "未知的通知类型「{kind}」；可用：{kinds}",
        "未知的通知類型「{kind}」；可用：{kinds}"),
    "--via must be a channel name of at most {most} printable characters on one line (email, phone, wechat, …), "
    "not {channel!r}": (
        "--via 须为一行、最多 {most} 个可打印字符的渠道名称（如 邮件、电话、微信……），而不是「{channel}」",
        "--via 須為一行、最多 {most} 個可列印字元的管道名稱（如 郵件、電話、微信……），而不是「{channel}」"),
    # -- vocabularies (domain/vocab.py, domain/vocabularies.py) ---------------------------------
    "unknown language {lang!r}; use one of {languages}": (
        "未知的语言「{lang}」；可用：{languages}",
        "未知的語言「{lang}」；可用：{languages}"),
    "invalid {field} {value!r}; use one of {choices}{guess}{hint}": (
        "无效的{field}「{value}」；可用：{choices}{guess}{hint}",
        "無效的{field}「{value}」；可用：{choices}{guess}{hint}"),
    "{field} {key} ({label}) is retired: records that have it keep it, new ones cannot take it; use one of "
    "{choices}, or `reqtrack vocab restore {field_key} {key}`": (
        "{field}「{label}」（{key}）已停用：已有的记录保留它，新记录不能再用；可用：{choices}；"
        "或用 `reqtrack vocab restore {field_key} {key}` 恢复",
        "{field}「{label}」（{key}）已停用：已有的記錄保留它，新記錄不能再用；可用：{choices}；"
        "或用 `reqtrack vocab restore {field_key} {key}` 恢復"),
    "; `reqtrack vocab show {field}` lists every label and alias, `reqtrack vocab add {field} KEY …` adds one": (
        "；`reqtrack vocab show {field}` 列出全部名称与别名，`reqtrack vocab add {field} 键名 …` 可以新增",
        "；`reqtrack vocab show {field}` 列出全部名稱與別名，`reqtrack vocab add {field} 鍵名 …` 可以新增"),
    " (did you mean {choice}?)": (
        "（是否指「{choice}」？）",
        "（是否指「{choice}」？）"),
    "unknown vocabulary {field!r}; the configurable ones are {known}": (
        "未知的词表「{field}」；可配置的词表有：{known}",
        "未知的詞表「{field}」；可設定的詞表有：{known}"),
    "{name} has no entry {entry!r}; `reqtrack vocab show {field}` lists them": (
        "{name}中没有「{entry}」这一项；`reqtrack vocab show {field}` 可列出全部",
        "{name}中沒有「{entry}」這一項；`reqtrack vocab show {field}` 可列出全部"),
    "{what} {text!r} holds control or unassigned characters; type it plainly": (
        "{what}「{text}」含有控制字符或未分配的字符；请直接输入普通文字",
        "{what}「{text}」含有控制字元或未分配的字元；請直接輸入一般文字"),
    "{what} {text!r}… is longer than {most} characters": (
        "{what}「{text}」……超过 {most} 个字符",
        "{what}「{text}」……超過 {most} 個字元"),
    "key {key!r} is not lowercase ASCII words with hyphens (e.g. complaint, after-sales; at most {most} "
    "characters); labels in any language go in --en, --zh-CN and --zh-TW": (
        "键名「{key}」须由小写 ASCII 单词和连字符组成（如 complaint、after-sales；最多 {most} 个字符）；"
        "各语言的名称请用 --en、--zh-CN 和 --zh-TW 指定",
        "鍵名「{key}」須由小寫 ASCII 單字和連字號組成（如 complaint、after-sales；最多 {most} 個字元）；"
        "各語言的名稱請用 --en、--zh-CN 和 --zh-TW 指定"),
    "{field} {name!r} is already a name of {other} ({label}); each name belongs to one key: choose another, or "
    "change {other} first (`reqtrack vocab edit {field_key} {other} --drop-alias …`)": (
        "{field}名称「{name}」已属于 {other}（{label}）；每个名称只能属于一个键：请换一个，或先修改 {other}"
        "（`reqtrack vocab edit {field_key} {other} --drop-alias …`）",
        "{field}名稱「{name}」已屬於 {other}（{label}）；每個名稱只能屬於一個鍵：請換一個，或先修改 {other}"
        "（`reqtrack vocab edit {field_key} {other} --drop-alias …`）"),
    "at most {most} aliases per entry": (
        "每一项最多 {most} 个别名",
        "每一項最多 {most} 個別名"),
    "{name} {key} exists already; change it with `reqtrack vocab edit {field} {key}`": (
        "{name} {key} 已存在；请用 `reqtrack vocab edit {field} {key}` 修改",
        "{name} {key} 已存在；請用 `reqtrack vocab edit {field} {key}` 修改"),
    "give at least one label: --en, --zh-CN or --zh-TW (e.g. --zh-CN 投诉类 for {key})": (
        "请至少给出一个名称：--en、--zh-CN 或 --zh-TW（例如为 {key} 指定 --zh-CN 投诉类）",
        "請至少給出一個名稱：--en、--zh-CN 或 --zh-TW（例如為 {key} 指定 --zh-TW 投訴類）"),
    "{name} {key} has no alias {alias!r}; its aliases: {aliases}": (
        "{name} {key} 没有别名「{alias}」；它的别名：{aliases}",
        "{name} {key} 沒有別名「{alias}」；它的別名：{aliases}"),
    "nothing changes: {name} {key} already has these labels, aliases and department": (
        "没有任何变化：{name} {key} 已经是这些名称、别名和部门",
        "沒有任何變化：{name} {key} 已經是這些名稱、別名和部門"),
    "the {lang} label": ("{lang} 名称", "{lang} 名稱"),
    "alias": ("别名", "別名"),
    "the department": ("部门", "部門"),
    "none": ("无", "無"),
    # -- links (domain/links.py) ------------------------------------------------------------------
    "--as is required: one of {kinds}": (
        "必须指定 --as：{kinds} 之一",
        "必須指定 --as：{kinds} 之一"),
    "unknown link kind {kind!r}; use one of {kinds}": (
        "未知的关联类型「{kind}」；可用：{kinds}",
        "未知的關聯類型「{kind}」；可用：{kinds}"),
    "a request cannot be linked to itself ({rid})": (
        "需求不能关联到自己（{rid}）",
        "需求不能關聯到自己（{rid}）"),
    "{rid} cannot be a recurrence of {other}: a recurrence is the same problem again after the work was "
    "completed, and {other} had not been completed when {rid} was submitted (it is {status}); link it as "
    "related or duplicate instead": (
        "{rid} 不能作为 {other} 的复现：复现是指工作完成后同一问题再次出现，而 {rid} 提出时 {other} 尚未完成"
        "（它的状态是「{status}」）；请改为关联为“相关”或“重复”",
        "{rid} 不能作為 {other} 的復現：復現是指工作完成後同一問題再次出現，而 {rid} 提出時 {other} 尚未完成"
        "（它的狀態是「{status}」）；請改為關聯為「相關」或「重複」"),
    "linking {rid} as {kind} of {other} would make a {kind} cycle ({chain}); unlink one of them first": (
        "把 {rid} 关联为 {other} 的“{kind}”会形成“{kind}”循环（{chain}）；请先取消其中一个关联",
        "把 {rid} 關聯為 {other} 的「{kind}」會形成「{kind}」循環（{chain}）；請先取消其中一個關聯"),
    "nothing changes: {rid} is already linked to {other} as {kind}": (
        "没有任何变化：{rid} 已经以“{kind}”关联到 {other}",
        "沒有任何變化：{rid} 已經以「{kind}」關聯到 {other}"),
    "linking {rid} as {kind} of {other} would make a {kind} cycle: {other} is already linked as {kind} of "
    "{rid}; unlink them first to turn it round": (
        "把 {rid} 关联为 {other} 的“{kind}”会形成“{kind}”循环：{other} 已经是 {rid} 的“{kind}”；"
        "如要反转方向，请先取消它们的关联",
        "把 {rid} 關聯為 {other} 的「{kind}」會形成「{kind}」循環：{other} 已經是 {rid} 的「{kind}」；"
        "如要反轉方向，請先取消它們的關聯"),
    "{rid} and {other} are not linked; `reqtrack show {rid}` lists its links": (
        "{rid} 与 {other} 之间没有关联；`reqtrack show {rid}` 可列出它的关联",
        "{rid} 與 {other} 之間沒有關聯；`reqtrack show {rid}` 可列出它的關聯"),
    # -- people (domain/people.py) ----------------------------------------------------------------
    "{what} may not be empty": (
        "{what}不能为空",
        "{what}不能為空"),
    "{what} must be at most {most} printable characters on one line, not {text!r}": (
        "{what}须为一行、最多 {most} 个可打印字符，而不是「{text}」",
        "{what}須為一行、最多 {most} 個可列印字元，而不是「{text}」"),
    "the name": ("姓名", "姓名"),
    "--email {email!r} is not an e-mail address (name@example.com, or Name <name@example.com>)": (
        "--email「{email}」不是电子邮件地址（应为 name@example.com 或 姓名 <name@example.com>）",
        "--email「{email}」不是電子郵件地址（應為 name@example.com 或 姓名 <name@example.com>）"),
    # -- scores and times (domain/record.py, domain/timeparse.py) --------------------------------
    "reqtrack keeps times from {first}-01-01 to {last}-12-31": (
        "reqtrack 只保存 {first}-01-01 至 {last}-12-31 之间的时间",
        "reqtrack 只保存 {first}-01-01 至 {last}-12-31 之間的時間"),
    "scores come as a set of four: give {missing} too (1-10 each)": (
        "评分须四项一起给出：请同时给出 {missing}（每项 1–10）",
        "評分須四項一起給出：請同時給出 {missing}（每項 1–10）"),
    "--{name} must be between 1 and 10, not {value}": (
        "--{name} 须在 1 到 10 之间，而不是 {value}",
        "--{name} 須在 1 到 10 之間，而不是 {value}"),
    "{raw!r} is out of range: {range}": (
        "「{raw}」超出范围：{range}",
        "「{raw}」超出範圍：{range}"),
    "{raw!r}: working days count forward in whole days, e.g. +2wd": (
        "「{raw}」：工作日只能向后按整天计算，例如 +2wd",
        "「{raw}」：工作日只能向後按整天計算，例如 +2wd"),
    "{raw!r} is not a valid date": (
        "「{raw}」不是有效的日期",
        "「{raw}」不是有效的日期"),
    "cannot read {raw!r} as a time; use e.g. 2024-05-01, '2024-05-01 14:30', ISO 8601, today, +3d or +2wd": (
        "无法把「{raw}」识别为时间；请写成例如 2024-05-01、'2024-05-01 14:30'、ISO 8601、today、+3d 或 +2wd",
        "無法把「{raw}」識別為時間；請寫成例如 2024-05-01、'2024-05-01 14:30'、ISO 8601、today、+3d 或 +2wd"),
    "cannot read {text!r} as a duration; use e.g. 1d, 4h, 30m, 1w or 2wd (working days)": (
        "无法把「{text}」识别为时长；请写成例如 1d、4h、30m、1w 或 2wd（工作日）",
        "無法把「{text}」識別為時長；請寫成例如 1d、4h、30m、1w 或 2wd（工作日）"),
    "{text!r}: working days are whole days": (
        "「{text}」：工作日须为整天",
        "「{text}」：工作日須為整天"),
    "{text!r} is too long a window: durations go up to {most}d (100 years; working days count as days here)": (
        "「{text}」时长太长：最多 {most}d（100 年；这里工作日按天计算）",
        "「{text}」時長太長：最多 {most}d（100 年；這裡工作日按天計算）"),
    # -- the calendar and the settings (domain/calendar.py, domain/sla/settings.py) --------------
    "unknown time zone {name!r}; use an IANA name such as Asia/Shanghai, Asia/Taipei or America/New_York": (
        "未知的时区「{name}」；请使用 IANA 时区名，如 Asia/Shanghai、Asia/Taipei 或 America/New_York",
        "未知的時區「{name}」；請使用 IANA 時區名，如 Asia/Shanghai、Asia/Taipei 或 America/New_York"),
    "unknown country code {code!r} for public holidays; use an ISO 3166 code such as CN, TW, HK or US": (
        "未知的公共假日国家代码「{code}」；请使用 ISO 3166 代码，如 CN、TW、HK 或 US",
        "未知的國定假日國家代碼「{code}」；請使用 ISO 3166 代碼，如 CN、TW、HK 或 US"),
    "{subdivision!r} is not a subdivision of {country} that the holidays package knows (known: {choices})": (
        "「{subdivision}」不是 holidays 软件包所知的 {country} 地区（已知：{choices}）",
        "「{subdivision}」不是 holidays 套件所知的 {country} 地區（已知：{choices}）"),
    "{what}: {part!r} is not a date; write YYYY-MM-DD, separated by commas": (
        "{what}：「{part}」不是日期；请写成 YYYY-MM-DD，用逗号分隔",
        "{what}：「{part}」不是日期；請寫成 YYYY-MM-DD，用逗號分隔"),
    "date list": ("日期列表", "日期列表"),
    "stored setting {key}": ("已保存的设置 {key}", "已儲存的設定 {key}"),
    "{key} must be a positive number of {unit}, not {value!r}": (
        "{key} 须为正数（单位：{unit}），而不是「{value}」",
        "{key} 須為正數（單位：{unit}），而不是「{value}」"),
    "{key} must be at most {most} {unit}, not {value!r}": (
        "{key} 最多为 {most} {unit}，而不是「{value}」",
        "{key} 最多為 {most} {unit}，而不是「{value}」"),
    "hours": ("小时", "小時"),
    "working days": ("工作日", "工作日"),
    "days": ("天", "天"),
    "{key} must be a share such as 0.9 or 90%, not {value!r}": (
        "{key} 须为比例，如 0.9 或 90%，而不是「{value}」",
        "{key} 須為比例，如 0.9 或 90%，而不是「{value}」"),
    "{key} must be a share above 0 and at most 100%, such as 0.9 or 90%, not {value!r}": (
        "{key} 须为大于 0、不超过 100% 的比例，如 0.9 或 90%，而不是「{value}」",
        "{key} 須為大於 0、不超過 100% 的比例，如 0.9 或 90%，而不是「{value}」"),
    "unknown setting {key!r}; known settings: {known}": (
        "未知的设置「{key}」；已有的设置：{known}",
        "未知的設定「{key}」；已有的設定：{known}"),
    "{value!r} is not a subdivision of any country the holidays package knows": (
        "「{value}」不是 holidays 软件包所知的任何国家的地区",
        "「{value}」不是 holidays 套件所知的任何國家的地區"),
    "{key} must be a port number from 1 to 65535, not {value!r}": (
        "{key} 须为 1 到 65535 之间的端口号，而不是「{value}」",
        "{key} 須為 1 到 65535 之間的連接埠號，而不是「{value}」"),
    "{key} must be one of {choices}, not {value!r}": (
        "{key} 须为 {choices} 之一，而不是「{value}」",
        "{key} 須為 {choices} 之一，而不是「{value}」"),
    "{key} must be a host name or address such as smtp.example.com, not {value!r}": (
        "{key} 须为主机名或地址，如 smtp.example.com，而不是「{value}」",
        "{key} 須為主機名稱或位址，如 smtp.example.com，而不是「{value}」"),
    "{key} must be an e-mail address, or a name and address such as 'Support <support@example.com>', "
    "not {value!r}": (
        "{key} 须为电子邮件地址，或名称加地址，如 '客服团队 <support@example.com>'，而不是「{value}」",
        "{key} 須為電子郵件地址，或名稱加地址，如 '客服團隊 <support@example.com>'，而不是「{value}」"),
    "{key} must be one line of text of at most 254 characters, not {value!r}": (
        "{key} 须为一行、最多 254 个字符的文字，而不是「{value}」",
        "{key} 須為一行、最多 254 個字元的文字，而不是「{value}」"),
    "stored setting {problem}; fix it with `reqtrack config set {key} VALUE`": (
        "已保存的设置有误：{problem}；请用 `reqtrack config set {key} 值` 修正",
        "已儲存的設定有誤：{problem}；請用 `reqtrack config set {key} 值` 修正"),
    "{problem} (from the stored calendar settings; change them with `reqtrack config set`)": (
        "{problem}（来自已保存的日历设置；请用 `reqtrack config set` 修改）",
        "{problem}（來自已儲存的日曆設定；請用 `reqtrack config set` 修改）"),
}

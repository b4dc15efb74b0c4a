"""The error sentences of the verbs (`services/`: requests, reports, import, copy, backup) in
simplified and traditional Chinese: English template -> (zh-CN, zh-TW)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # -- requests, reading values (services/requests.py, services/context.py) ---------------------
    "computing the report's stored facts of every request, once after an upgrade; on a large database this takes "
    "a while (about a minute at 100,000 requests)": (
        "升级后首次计算全部需求的报表统计数据（仅此一次）；数据量大时需要一些时间（10 万条需求约 1 分钟）",
        "升級後首次計算全部需求的報表統計資料（僅此一次）；資料量大時需要一些時間（10 萬筆需求約 1 分鐘）"),
    "making the stored JSON text of every open request, once after an upgrade or a change of the time zone; on a "
    "large database this takes a few seconds": (
        "升级或更改时区后首次生成全部未结需求的 JSON 文本（仅此一次）；数据量大时需要几秒钟",
        "升級或變更時區後首次產生全部未結需求的 JSON 文字（僅此一次）；資料量大時需要幾秒鐘"),
    "attachment {path} does not exist or is not a file": (
        "附件 {path} 不存在或不是文件",
        "附件 {path} 不存在或不是檔案"),
    "attachment {name} is {size:.1f} MiB; the limit is {limit} MiB, so keep it elsewhere and note where in --notes": (
        "附件 {name} 有 {size:.1f} MiB；上限是 {limit} MiB，请把它放在别处，并在 --notes 中注明位置",
        "附件 {name} 有 {size:.1f} MiB；上限是 {limit} MiB，請把它放在別處，並在 --notes 中註明位置"),
    "the description is required: the customer's own words": (
        "需求描述为必填项：请写下客户的原话",
        "需求描述為必填項：請寫下客戶的原話"),
    "--customer is required": (
        "--customer 为必填项",
        "--customer 為必填項"),
    "--reason is required (or --duplicate-of ID to cancel it as a duplicate)": (
        "--reason 为必填项（或用 --duplicate-of 编号 把它作为重复需求取消）",
        "--reason 為必填項（或用 --duplicate-of 編號 把它作為重複需求取消）"),
    "attachment {number} of {rid} ({name}) was imported by name only; no content is stored": (
        "{rid} 的第 {number} 个附件（{name}）是导入时只记了名称的；没有保存内容",
        "{rid} 的第 {number} 個附件（{name}）是匯入時只記了名稱的；沒有儲存內容"),
    "--submitted-at {text}: {range}": (
        "--submitted-at {text}：{range}",
        "--submitted-at {text}：{range}"),
    "REQTRACK_NOW={pinned!r} is not an ISO 8601 time": (
        "REQTRACK_NOW=「{pinned}」不是 ISO 8601 时间",
        "REQTRACK_NOW=「{pinned}」不是 ISO 8601 時間"),
    "REQTRACK_NOW needs a UTC offset, e.g. 2025-01-24T10:00:00+08:00": (
        "REQTRACK_NOW 需要带 UTC 偏移，例如 2025-01-24T10:00:00+08:00",
        "REQTRACK_NOW 需要帶 UTC 偏移，例如 2025-01-24T10:00:00+08:00"),
    "REQTRACK_NOW={pinned!r} is out of range: {range}": (
        "REQTRACK_NOW=「{pinned}」超出范围：{range}",
        "REQTRACK_NOW=「{pinned}」超出範圍：{range}"),
    "{what}: {problem}": (
        "{what}：{problem}",
        "{what}：{problem}"),
    # -- links, search, people, settings -----------------------------------------------------------
    "{rid} is cancelled itself; name the request that is kept with --duplicate-of": (
        "{rid} 本身已取消；请用 --duplicate-of 指定保留的那条需求",
        "{rid} 本身已取消；請用 --duplicate-of 指定保留的那筆需求"),
    "search needs some text to look for": (
        "搜索需要要查找的文字",
        "搜尋需要要查找的文字"),
    "--limit must be at least 1": (
        "--limit 至少为 1",
        "--limit 至少為 1"),
    "{name!r} is not in the list of people; `reqtrack people list` shows it": (
        "「{name}」不在人员名单中；`reqtrack people list` 可列出名单",
        "「{name}」不在人員名單中；`reqtrack people list` 可列出名單"),
    "calendar.timezone cannot be unset; set another zone with `reqtrack config set calendar.timezone ZONE`": (
        "calendar.timezone 不能取消设置；请用 `reqtrack config set calendar.timezone 时区` 设为另一个时区",
        "calendar.timezone 不能取消設定；請用 `reqtrack config set calendar.timezone 時區` 設為另一個時區"),
    "unknown setting {key!r}; `reqtrack config show` lists them": (
        "未知的设置「{key}」；`reqtrack config show` 可列出全部设置",
        "未知的設定「{key}」；`reqtrack config show` 可列出全部設定"),
    # -- notices (services/notices.py) -------------------------------------------------------------
    "request {rid} has {contact}, which is not an e-mail address, so the notice cannot be e-mailed; send it another "
    "way and record it with `reqtrack notice {rid} {kind} --sent --via CHANNEL`": (
        "需求 {rid} 的{contact}不是电子邮件地址，无法用邮件发送通知；请用其他方式发送，并用 "
        "`reqtrack notice {rid} {kind} --sent --via 渠道` 记录",
        "需求 {rid} 的{contact}不是電子郵件地址，無法用郵件傳送通知；請用其他方式傳送，並用 "
        "`reqtrack notice {rid} {kind} --sent --via 管道` 記錄"),
    "contact {contact!r}": ("联系方式「{contact}」", "聯繫方式「{contact}」"),
    "no contact": ("联系方式为空", "聯繫方式為空"),
    "the {kind} notice was e-mailed to {to} but could not be recorded ({problem}); record it with `reqtrack notice "
    "{rid} {key} --sent --at '{sent_at}'`": (
        "“{kind}”通知已用邮件发给 {to}，但无法记录（{problem}）；请用 "
        "`reqtrack notice {rid} {key} --sent --at '{sent_at}'` 记录",
        "「{kind}」通知已用郵件寄給 {to}，但無法記錄（{problem}）；請用 "
        "`reqtrack notice {rid} {key} --sent --at '{sent_at}'` 記錄"),
    # -- report and export (services/report.py, services/exports.py) -------------------------------
    "unknown period {kind!r}; use one of {kinds}": (
        "未知的周期「{kind}」；可用：{kinds}",
        "未知的週期「{kind}」；可用：{kinds}"),
    "give either --period or --from/--to, not both": (
        "请给出 --period 或 --from/--to 之一，不能同时给出",
        "請給出 --period 或 --from/--to 之一，不能同時給出"),
    "--from and --to go together (the range is [from, to))": (
        "--from 与 --to 须一起给出（范围为 [from, to)）",
        "--from 與 --to 須一起給出（範圍為 [from, to)）"),
    "--previous goes with --period, not with --from/--to": (
        "--previous 须与 --period 一起用，不能与 --from/--to 一起用",
        "--previous 須與 --period 一起用，不能與 --from/--to 一起用"),
    "--to must be after --from (the range is [from, to))": (
        "--to 须晚于 --from（范围为 [from, to)）",
        "--to 須晚於 --from（範圍為 [from, to)）"),
    "unknown export format {format!r}; use xlsx, csv or json": (
        "未知的导出格式「{format}」；可用：xlsx、csv 或 json",
        "未知的匯出格式「{format}」；可用：xlsx、csv 或 json"),
    "cannot tell the format from {name!r}; end the name in .xlsx, .csv or .json, or add --format": (
        "无法从「{name}」判断格式；请让文件名以 .xlsx、.csv 或 .json 结尾，或加上 --format",
        "無法從「{name}」判斷格式；請讓檔名以 .xlsx、.csv 或 .json 結尾，或加上 --format"),
    # -- import: the refusal and its lines (services/import_rows.py) -------------------------------
    "nothing imported from {name}: {counted}; correct them and import again": (
        "{name} 未导入任何内容：{counted}；请改正后重新导入",
        "{name} 未匯入任何內容：{counted}；請改正後重新匯入"),
    "nothing imported from {name}: it looks like a masked export (names hidden with *, as `export --mask` writes "
    "them), and a masked sheet must never be imported, whatever route it took (saved as CSV, its info sheet "
    "removed); {counted}; import the unmasked export instead": (
        "{name} 未导入任何内容：它看起来是脱敏导出的文件（人名用 * 隐藏，即 `export --mask` 的写法），"
        "无论经过什么途径（另存为 CSV、删掉了信息页），脱敏的表都绝不能导入；{counted}；请改为导入未脱敏的导出文件",
        "{name} 未匯入任何內容：它看起來是遮罩匯出的檔案（人名用 * 隱藏，即 `export --mask` 的寫法），"
        "無論經過什麼途徑（另存為 CSV、刪掉了資訊頁），遮罩的表都絕不能匯入；{counted}；請改為匯入未遮罩的匯出檔案"),
    "{problems} in {rows}": ("{rows}中共 {problems}", "{rows}中共 {problems}"),
    "{n} problem": ("{n} 个问题", "{n} 個問題"),
    "{n} problems": ("{n} 个问题", "{n} 個問題"),
    "{n} row": ("{n} 行", "{n} 列"),
    "{n} rows": ("{n} 行", "{n} 列"),
    "  row {row}, {column}: {value}: {why}": ("  第 {row} 行，{column}：{value}：{why}", "  第 {row} 列，{column}：{value}：{why}"),
    "  row {row}: {value}: {why}": ("  第 {row} 行：{value}：{why}", "  第 {row} 列：{value}：{why}"),
    "  row {row}, {column}: {why}": ("  第 {row} 行，{column}：{why}", "  第 {row} 列，{column}：{why}"),
    "  row {row}: {why}": ("  第 {row} 行：{why}", "  第 {row} 列：{why}"),
    "  ... and {more} more": ("  ……另有 {more} 个", "  ……另有 {more} 個"),
    "looks masked (a first character, then only *, as `export --mask` writes names); a real name is never that": (
        "看起来是脱敏后的名字（首字之后全是 *，即 `export --mask` 的写法）；真实的名字不会是这样",
        "看起來是遮罩後的名字（首字之後全是 *，即 `export --mask` 的寫法）；真實的名字不會是這樣"),
    "an ID is one line of at most 64 characters, without control or invisible characters (a foreign ID such as "
    "TEL-002 is kept as it is)": (
        "编号须为一行、最多 64 个字符，不含控制字符或不可见字符（外部编号如 TEL-002 会原样保留）",
        "編號須為一行、最多 64 個字元，不含控制字元或不可見字元（外部編號如 TEL-002 會原樣保留）"),
    "looks like reqtrack's own YYYYMM-NNN but its number is 000; correct it, or leave the cell empty for a new ID": (
        "看起来是 reqtrack 自己的 YYYYMM-NNN 编号，但序号是 000；请改正，或留空以生成新编号",
        "看起來是 reqtrack 自己的 YYYYMM-NNN 編號，但序號是 000；請改正，或留空以產生新編號"),
    "looks like reqtrack's own YYYYMM-NNN but {month} is not a month from {first} to {last}; correct it, or leave "
    "the cell empty for a new ID": (
        "看起来是 reqtrack 自己的 YYYYMM-NNN 编号，但 {month} 不是 {first} 至 {last} 年间的月份；请改正，或留空以生成新编号",
        "看起來是 reqtrack 自己的 YYYYMM-NNN 編號，但 {month} 不是 {first} 至 {last} 年間的月份；請改正，或留空以產生新編號"),
    "looks like reqtrack's own YYYYMM-NNN (3 or more digits after the month) but is not; correct it": (
        "看起来像 reqtrack 自己的 YYYYMM-NNN 编号（月份后 3 位以上数字），但并不是；请改正",
        "看起來像 reqtrack 自己的 YYYYMM-NNN 編號（月份後 3 位以上數字），但並不是；請改正"),
    "the same ID is already on row {row}": (
        "第 {row} 行已有相同的编号",
        "第 {row} 列已有相同的編號"),
    "the customer (or project) is required; the cell is empty": (
        "客户（或项目）为必填项；这一格是空的",
        "客戶（或專案）為必填項；這一格是空的"),
    "the description is required: the customer's own words; the cell is empty": (
        "需求描述为必填项：请写下客户的原话；这一格是空的",
        "需求描述為必填項：請寫下客戶的原話；這一格是空的"),
    "is in the future": ("是将来的时间", "是未來的時間"),
    "is before the submission ({at})": (
        "早于提出时间（{at}）",
        "早於提出時間（{at}）"),
    "the process log has an entry in the future ({at})": (
        "处理过程中有一条将来的记录（{at}）",
        "處理過程中有一筆未來的記錄（{at}）"),
    # -- import: matching the database (services/import_merge.py, services/import_links.py) --------
    "is the stored value with its names masked": (
        "是已保存的值把人名脱敏后的样子",
        "是已儲存的值把人名遮罩後的樣子"),
    "is the stored owner with the name masked": (
        "是已保存的负责人把名字脱敏后的样子",
        "是已儲存的負責人把名字遮罩後的樣子"),
    "the process log is the stored one with its names masked": (
        "处理过程是已保存的处理过程把人名脱敏后的样子",
        "處理過程是已儲存的處理過程把人名遮罩後的樣子"),
    "{rid} has {entries} in reqtrack that this sheet's process log lacks (newest: {newest!r}); the sheet is older "
    "than the database or its log was edited: export a fresh sheet, or empty the process-log cell to leave the "
    "history as it is": (
        "{rid} 在 reqtrack 中有 {entries}是这张表的处理过程里没有的（最新一条：「{newest}」）；这张表比数据库旧，"
        "或处理过程被改过：请重新导出一张表，或清空处理过程这一格以保留现有的处理记录",
        "{rid} 在 reqtrack 中有 {entries}是這張表的處理過程裡沒有的（最新一筆：「{newest}」）；這張表比資料庫舊，"
        "或處理過程被改過：請重新匯出一張表，或清空處理過程這一格以保留現有的處理記錄"),
    "{n} history entry": ("{n} 条处理记录", "{n} 筆處理記錄"),
    "{n} history entries": ("{n} 条处理记录", "{n} 筆處理記錄"),
    "links the request to itself": (
        "把需求关联到了它自己",
        "把需求關聯到了它自己"),
    "is neither a row of this sheet nor a request in the database; a link must name a request that exists": (
        "既不是这张表中的一行，也不是数据库中的需求；关联必须指向存在的需求",
        "既不是這張表中的一列，也不是資料庫中的需求；關聯必須指向存在的需求"),
    "is linked as {kind} on row {row}; two requests have one link between them": (
        "已在第 {row} 行关联为“{kind}”；两条需求之间只能有一个关联",
        "已在第 {row} 列關聯為「{kind}」；兩筆需求之間只能有一個關聯"),
    # -- import: the file as a whole (services/imports.py) ------------------------------------------
    "{name} is a masked export (personal names hidden with *); importing it would overwrite real names with masked "
    "ones, so it is refused: import the unmasked export instead": (
        "{name} 是脱敏导出的文件（人名用 * 隐藏）；导入它会用脱敏的名字覆盖真实的名字，因此拒绝导入：请改为导入未脱敏的导出文件",
        "{name} 是遮罩匯出的檔案（人名用 * 隱藏）；匯入它會用遮罩的名字覆蓋真實的名字，因此拒絕匯入：請改為匯入未遮罩的匯出檔案"),
    "{name} has a header but no rows to import": (
        "{name} 有表头，但没有可导入的行",
        "{name} 有表頭，但沒有可匯入的列"),
    "columns not imported (not reqtrack columns): {columns}": (
        "未导入的列（不是 reqtrack 的列）：{columns}",
        "未匯入的欄（不是 reqtrack 的欄）：{columns}"),
    "the file's times are in {file} (its info sheet), the database's in {database}: date-times were converted, "
    "dates kept": (
        "文件中的时间属于 {file}（见其信息页），数据库的时间属于 {database}：日期时间已换算，纯日期保持不变",
        "檔案中的時間屬於 {file}（見其資訊頁），資料庫的時間屬於 {database}：日期時間已換算，純日期保持不變"),
    "the new database takes the file's time zone {file} (machine: {machine})": (
        "新数据库采用文件的时区 {file}（本机：{machine}）",
        "新資料庫採用檔案的時區 {file}（本機：{machine}）"),
    "{count} row(s) without a submission time would be taken as submitted now": (
        "{count} 行没有提出时间，将按现在提出处理",
        "{count} 列沒有提出時間，將按現在提出處理"),
    "{count} row(s) without a submission time were taken as submitted now (rows {rows})": (
        "{count} 行没有提出时间，已按现在提出处理（第 {rows} 行）",
        "{count} 列沒有提出時間，已按現在提出處理（第 {rows} 列）"),
    "{count} new request(s) hold cells that an export cut at Excel's cell limit (rows {rows}); they would be "
    "imported as cut, marker included: import the CSV export, which keeps whole texts, to get them complete": (
        "{count} 条新需求有被导出时按 Excel 单元格上限截断的内容（第 {rows} 行）；它们将按截断后的样子导入，"
        "连同截断标记：要得到完整内容，请导入保留全文的 CSV 导出文件",
        "{count} 筆新需求有被匯出時按 Excel 儲存格上限截斷的內容（第 {rows} 列）；它們將按截斷後的樣子匯入，"
        "連同截斷標記：要得到完整內容，請匯入保留全文的 CSV 匯出檔案"),
    "{count} new request(s) hold cells that an export cut at Excel's cell limit (rows {rows}); they were "
    "imported as cut, marker included: import the CSV export, which keeps whole texts, to get them complete": (
        "{count} 条新需求有被导出时按 Excel 单元格上限截断的内容（第 {rows} 行）；它们已按截断后的样子导入，"
        "连同截断标记：要得到完整内容，请导入保留全文的 CSV 导出文件",
        "{count} 筆新需求有被匯出時按 Excel 儲存格上限截斷的內容（第 {rows} 列）；它們已按截斷後的樣子匯入，"
        "連同截斷標記：要得到完整內容，請匯入保留全文的 CSV 匯出檔案"),
    # -- backup (services/admin.py) ---------------------------------------------------------------
    "the copy of {path} fails its integrity check ({problem}), so the database itself is damaged; nothing was "
    "written to {target}; run `reqtrack check` and restore an earlier backup": (
        "{path} 的副本未通过完整性检查（{problem}），说明数据库本身已损坏；没有写入 {target}；"
        "请运行 `reqtrack check` 并恢复较早的备份",
        "{path} 的副本未通過完整性檢查（{problem}），表示資料庫本身已損壞；沒有寫入 {target}；"
        "請執行 `reqtrack check` 並還原較早的備份"),
    "cannot read the backup {target} back: {reason}": (
        "无法读回备份 {target}：{reason}",
        "無法讀回備份 {target}：{reason}"),
    "the disk is full; nothing was written there, free some space and try again": (
        "磁盘已满；那里没有写入任何内容，请腾出空间后重试",
        "磁碟已滿；那裡沒有寫入任何內容，請騰出空間後重試"),
    "; choose a writable directory": ("；请选择可写的目录", "；請選擇可寫入的目錄"),
    "; nothing was written there": ("；那里没有写入任何内容", "；那裡沒有寫入任何內容"),
    # -- copy (services/copying.py) ---------------------------------------------------------------
    "the copy fails SQLite's page check ({problem}); nothing was written to {target}": (
        "副本未通过 SQLite 的页面检查（{problem}）；没有写入 {target}",
        "副本未通過 SQLite 的頁面檢查（{problem}）；沒有寫入 {target}"),
    "the copy's writes could not be merged into one file; nothing was written to {target}": (
        "副本的写入无法合并为一个文件；没有写入 {target}",
        "副本的寫入無法合併為一個檔案；沒有寫入 {target}"),
    "{target} is the database this command copies; give another file or URL": (
        "{target} 就是这个命令要复制的数据库；请指定另一个文件或网址",
        "{target} 就是這個命令要複製的資料庫；請指定另一個檔案或網址"),
    "{target} holds {held} request; copy writes only into an empty database: add --force to empty it first (its "
    "{held} request and everything else in it are dropped)": (
        "{target} 中有 {held} 条需求；copy 只写入空数据库：加上 --force 可先清空它（其中的 {held} 条需求及其他一切都会被删除）",
        "{target} 中有 {held} 筆需求；copy 只寫入空資料庫：加上 --force 可先清空它（其中的 {held} 筆需求及其他一切都會被刪除）"),
    "{target} holds {held} requests; copy writes only into an empty database: add --force to empty it first (its "
    "{held} requests and everything else in it are dropped)": (
        "{target} 中有 {held} 条需求；copy 只写入空数据库：加上 --force 可先清空它（其中的 {held} 条需求及其他一切都会被删除）",
        "{target} 中有 {held} 筆需求；copy 只寫入空資料庫：加上 --force 可先清空它（其中的 {held} 筆需求及其他一切都會被刪除）"),
    "the copy does not verify: table {table} holds {found} rows in {target} ({copied} copied) but {count} in "
    "{source}; nothing was written to {target}": (
        "副本核对不符：表 {table} 在 {target} 中有 {found} 行（复制了 {copied} 行），在 {source} 中却有 {count} 行；"
        "没有写入 {target}",
        "副本核對不符：資料表 {table} 在 {target} 中有 {found} 列（複製了 {copied} 列），在 {source} 中卻有 {count} 列；"
        "沒有寫入 {target}"),
    "the copy does not verify: `check` finds in {target} what it does not find in {source} ({problem}{more}); "
    "nothing was written to {target}": (
        "副本核对不符：`check` 在 {target} 中发现了 {source} 中没有的问题（{problem}{more}）；没有写入 {target}",
        "副本核對不符：`check` 在 {target} 中發現了 {source} 中沒有的問題（{problem}{more}）；沒有寫入 {target}"),
    " and {count} more": ("，另有 {count} 个", "，另有 {count} 個"),
    "{target} refused a row of {table}: {problem}": (
        "{target} 拒绝了 {table} 的一行：{problem}",
        "{target} 拒絕了 {table} 的一列：{problem}"),
    "{problem}; nothing was written to {target}": (
        "{problem}；没有写入 {target}",
        "{problem}；沒有寫入 {target}"),
    "cannot read {source} (table {table}): {detail}; nothing was written to {target}": (
        "无法读取 {source}（表 {table}）：{detail}；没有写入 {target}",
        "無法讀取 {source}（資料表 {table}）：{detail}；沒有寫入 {target}"),
    "cannot read {source}: {detail}; nothing was written to {target}": (
        "无法读取 {source}：{detail}；没有写入 {target}",
        "無法讀取 {source}：{detail}；沒有寫入 {target}"),
    "{target} refused {what} ({detail}); nothing was written there; `reqtrack check` on {source} may name the row": (
        "{target} 拒绝了{what}（{detail}）；那里没有写入任何内容；对 {source} 运行 `reqtrack check` 也许能找出是哪一行",
        "{target} 拒絕了{what}（{detail}）；那裡沒有寫入任何內容；對 {source} 執行 `reqtrack check` 也許能找出是哪一列"),
    "a row of {table}": ("{table} 的一行", "{table} 的一列"),
    "the copy": ("副本", "副本"),
    "{target} has no column {columns} in table {table}, which {source} has; nothing was written (is one of them "
    "from another reqtrack version?)": (
        "{target} 的表 {table} 中没有 {source} 有的列 {columns}；没有写入任何内容（其中一个是否来自另一个 reqtrack 版本？）",
        "{target} 的資料表 {table} 中沒有 {source} 有的欄 {columns}；沒有寫入任何內容（其中一個是否來自另一個 reqtrack 版本？）"),
    "{path} is the database this command copies (or one of its files); give another file or a postgresql:// URL": (
        "{path} 就是这个命令要复制的数据库（或它的文件之一）；请指定另一个文件或 postgresql:// 网址",
        "{path} 就是這個命令要複製的資料庫（或它的檔案之一）；請指定另一個檔案或 postgresql:// 網址"),
    "the target is the database this command copies ({source}); give another file or URL": (
        "目标就是这个命令要复制的数据库（{source}）；请指定另一个文件或网址",
        "目標就是這個命令要複製的資料庫（{source}）；請指定另一個檔案或網址"),
}

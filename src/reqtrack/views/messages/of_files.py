"""The error sentences of files and messages (`excel/` reading sheets, `safe_output.py` writing
files, `mail.py` sending e-mail, the notice templates of `views/notices.py`) in simplified and
traditional Chinese: English template -> (zh-CN, zh-TW)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # -- written files (safe_output.py) -------------------------------------------------------------
    "cannot write {what}{path}: {reason}{hint}": (
        "无法写入{what}{path}：{reason}{hint}",
        "無法寫入{what}{path}：{reason}{hint}"),
    "cannot write {path}: {reason}{hint}": (
        "无法写入 {path}：{reason}{hint}",
        "無法寫入 {path}：{reason}{hint}"),
    "the backup ": ("备份 ", "備份 "),
    "the backup": ("备份", "備份"),
    "the copy ": ("副本 ", "副本 "),
    "the workbook ": ("工作簿 ", "活頁簿 "),
    "the workbook": ("工作簿", "活頁簿"),
    "the output": ("输出", "輸出"),
    "; free some space and try again": ("；请腾出空间后重试", "；請騰出空間後重試"),
    "the directory {directory} does not exist": (
        "目录 {directory} 不存在",
        "目錄 {directory} 不存在"),
    "cannot create the directory {directory}: {reason}": (
        "无法创建目录 {directory}：{reason}",
        "無法建立目錄 {directory}：{reason}"),
    "{target} exists; choose another name or add --force to replace it": (
        "{target} 已存在；请换一个名称，或加上 --force 覆盖它",
        "{target} 已存在；請換一個名稱，或加上 --force 覆蓋它"),
    "{target} is the database itself (or one of its -wal, -shm or -journal files); choose another file for {what}": (
        "{target} 就是数据库本身（或它的 -wal、-shm、-journal 文件之一）；请为{what}另选一个文件",
        "{target} 就是資料庫本身（或它的 -wal、-shm、-journal 檔案之一）；請為{what}另選一個檔案"),
    "{target} is a directory; give {what} a file name inside it": (
        "{target} 是目录；请为{what}指定该目录中的一个文件名",
        "{target} 是目錄；請為{what}指定該目錄中的一個檔名"),
    "{target} is not a regular file (a device, pipe or socket); write to a file name": (
        "{target} 不是普通文件（而是设备、管道或套接字）；请写入一个文件名",
        "{target} 不是一般檔案（而是裝置、管線或通訊端）；請寫入一個檔名"),
    # -- reading sheets (excel/reader.py) -----------------------------------------------------------
    "{path} does not exist or is not a file": (
        "{path} 不存在或不是文件",
        "{path} 不存在或不是檔案"),
    "{path} is an old binary Excel file (.xls); save it as .xlsx or CSV in Excel and import that": (
        "{path} 是旧的二进制 Excel 文件（.xls）；请在 Excel 中另存为 .xlsx 或 CSV 后再导入",
        "{path} 是舊的二進位 Excel 檔案（.xls）；請在 Excel 中另存為 .xlsx 或 CSV 後再匯入"),
    "{path} is JSON; import reads xlsx and CSV sheets with a header row (export one with `reqtrack export "
    "FILE.xlsx`)": (
        "{path} 是 JSON；导入只读取带表头行的 xlsx 和 CSV 表格（可用 `reqtrack export 文件.xlsx` 导出一份）",
        "{path} 是 JSON；匯入只讀取帶表頭列的 xlsx 和 CSV 表格（可用 `reqtrack export 檔案.xlsx` 匯出一份）"),
    "{path} is not a readable xlsx file (no zip container); is it damaged or renamed?": (
        "{path} 不是可读的 xlsx 文件（没有 zip 容器）；它是否损坏或被改了扩展名？",
        "{path} 不是可讀的 xlsx 檔案（沒有 zip 容器）；它是否損壞或被改了副檔名？"),
    "{path}: no header row found in its first {n} rows: the sheet needs at least the columns 需求描述/Description "
    "and 所属客户/项目/Customer (in any of the three languages, in any order)": (
        "{path}：前 {n} 行中找不到表头行：表格至少需要“需求描述/Description”和“所属客户/项目/Customer”两列"
        "（三种语言均可，顺序不限）",
        "{path}：前 {n} 列中找不到表頭列：表格至少需要「需求描述/Description」和「所屬客戶/項目/Customer」兩欄"
        "（三種語言均可，順序不限）"),
    "{path} cannot be read as an xlsx workbook ({kind}: {detail})": (
        "{path} 无法作为 xlsx 工作簿读取（{kind}：{detail}）",
        "{path} 無法作為 xlsx 活頁簿讀取（{kind}：{detail}）"),
    "{path} holds {count:,} parts, more than any real workbook (import's limit: {most:,}); it is refused, nothing "
    "was imported": (
        "{path} 含有 {count:,} 个部件，多于任何真实的工作簿（导入上限：{most:,}）；已拒绝，未导入任何内容",
        "{path} 含有 {count:,} 個元件，多於任何真實的活頁簿（匯入上限：{most:,}）；已拒絕，未匯入任何內容"),
    "{path}: its shared strings inflate to {size}, over import's limit of {most}; nothing was imported (save the "
    "sheet as CSV, or split it)": (
        "{path}：其共享字符串解压后有 {size}，超过导入上限 {most}；未导入任何内容（请把表格另存为 CSV，或拆分）",
        "{path}：其共用字串解壓縮後有 {size}，超過匯入上限 {most}；未匯入任何內容（請把表格另存為 CSV，或分割）"),
    "{path} inflates to {size} ({compressed} compressed), over import's limit of {most}; nothing was imported (a "
    "damaged file or a zip bomb; a real sheet that large: split it)": (
        "{path} 解压后有 {size}（压缩时 {compressed}），超过导入上限 {most}；未导入任何内容"
        "（可能是损坏的文件或 zip 炸弹；如果真有这么大的表格：请拆分）",
        "{path} 解壓縮後有 {size}（壓縮時 {compressed}），超過匯入上限 {most}；未匯入任何內容"
        "（可能是損壞的檔案或 zip 炸彈；如果真有這麼大的表格：請分割）"),
    "{path} cannot be read at row {row}: the sheet's content is damaged or not what Excel writes ({detail}); "
    "nothing was imported": (
        "{path} 在第 {row} 行无法读取：表格内容已损坏，或不是 Excel 写出的格式（{detail}）；未导入任何内容",
        "{path} 在第 {row} 列無法讀取：表格內容已損壞，或不是 Excel 寫出的格式（{detail}）；未匯入任何內容"),
    "{path} row {row}: a cell holds {count:,} characters, over import's limit of {most:,} (Excel itself holds "
    "32,767); nothing was imported": (
        "{path} 第 {row} 行：有一格含 {count:,} 个字符，超过导入上限 {most:,}（Excel 本身最多 32,767）；未导入任何内容",
        "{path} 第 {row} 列：有一格含 {count:,} 個字元，超過匯入上限 {most:,}（Excel 本身最多 32,767）；未匯入任何內容"),
    "{path} has more than {most:,} rows, import's limit (Excel's own); nothing was imported: split the sheet": (
        "{path} 超过 {most:,} 行，即导入的上限（也是 Excel 的上限）；未导入任何内容：请拆分表格",
        "{path} 超過 {most:,} 列，即匯入的上限（也是 Excel 的上限）；未匯入任何內容：請分割表格"),
    "{path} is neither UTF-8 nor GB18030 text; save it as CSV UTF-8 or as xlsx": (
        "{path} 既不是 UTF-8 也不是 GB18030 文本；请另存为 CSV UTF-8 或 xlsx",
        "{path} 既不是 UTF-8 也不是 GB18030 文字；請另存為 CSV UTF-8 或 xlsx"),
    "{path} line {line} is longer than import's limit of {most:,} characters; nothing was imported": (
        "{path} 第 {line} 行超过导入上限 {most:,} 个字符；未导入任何内容",
        "{path} 第 {line} 行超過匯入上限 {most:,} 個字元；未匯入任何內容"),
    "{path} line {line} is not valid {encoding} text ({reason}); nothing was imported: save it as CSV UTF-8": (
        "{path} 第 {line} 行不是有效的 {encoding} 文本（{reason}）；未导入任何内容：请另存为 CSV UTF-8",
        "{path} 第 {line} 行不是有效的 {encoding} 文字（{reason}）；未匯入任何內容：請另存為 CSV UTF-8"),
    "{path} line {line}: a field is longer than import's limit of {most:,} characters; nothing was imported": (
        "{path} 第 {line} 行：有一个字段超过导入上限 {most:,} 个字符；未导入任何内容",
        "{path} 第 {line} 行：有一個欄位超過匯入上限 {most:,} 個字元；未匯入任何內容"),
    "{path} line {line}: a quote (\") opened in this row is not closed where its cell ends ({detail}); nothing was "
    "imported: close the quote, or write a quote meant literally as two (\"\")": (
        "{path} 第 {line} 行：这一行中开始的引号（\"）在单元格结束处没有闭合（{detail}）；未导入任何内容："
        "请补上闭合的引号，或把本义的引号写成两个（\"\"）",
        "{path} 第 {line} 行：這一列中開始的引號（\"）在儲存格結束處沒有閉合（{detail}）；未匯入任何內容："
        "請補上閉合的引號，或把本義的引號寫成兩個（\"\"）"),
    "{path} is {size}, over import's limit of {most}; nothing was imported: split it": (
        "{path} 有 {size}，超过导入上限 {most}；未导入任何内容：请拆分",
        "{path} 有 {size}，超過匯入上限 {most}；未匯入任何內容：請分割"),
    "{path} cannot be read as CSV: {detail}": (
        "{path} 无法作为 CSV 读取：{detail}",
        "{path} 無法作為 CSV 讀取：{detail}"),
    "{path} is empty": ("{path} 是空的", "{path} 是空的"),
    "{path} line {first}: a quote (\") opened in this row runs on to line {last}, merging {lines} lines into one "
    "row of {cells} cells (the header has {width}); nothing was imported: close the quote": (
        "{path} 第 {first} 行：这一行中开始的引号（\"）一直延续到第 {last} 行，把 {lines} 行合并成了一行 {cells} 格"
        "（表头有 {width} 格）；未导入任何内容：请补上闭合的引号",
        "{path} 第 {first} 行：這一列中開始的引號（\"）一直延續到第 {last} 行，把 {lines} 行合併成了一列 {cells} 格"
        "（表頭有 {width} 格）；未匯入任何內容：請補上閉合的引號"),
    # -- cells of a sheet (excel/columns.py, excel/validator.py) ----------------------------------
    "column {letter} ({header})": ("{letter} 列（{header}）", "{letter} 欄（{header}）"),
    "a number that is not finite (INF or NaN), which no field can hold; write the value itself": (
        "不是有限的数字（INF 或 NaN），任何字段都无法保存；请写入值本身",
        "不是有限的數字（INF 或 NaN），任何欄位都無法儲存；請寫入值本身"),
    "not a known {field}; use one of {choices}": (
        "不是已知的{field}；可用：{choices}",
        "不是已知的{field}；可用：{choices}"),
    "not a known {field} of this database; known: {choices}; if it is a new one, add it first with `reqtrack vocab "
    "add {key} KEY --zh-CN {text} --en …` (or add it as an alias of one with `reqtrack vocab edit {key} KEY --alias "
    "{text}`), then import again": (
        "不是这个数据库已知的{field}；已知：{choices}；如果是新的，请先用 `reqtrack vocab add {key} 键名 --zh-CN {text} "
        "--en …` 添加（或用 `reqtrack vocab edit {key} 键名 --alias {text}` 把它加为某一项的别名），再重新导入",
        "不是這個資料庫已知的{field}；已知：{choices}；如果是新的，請先用 `reqtrack vocab add {key} 鍵名 --zh-CN {text} "
        "--en …` 新增（或用 `reqtrack vocab edit {key} 鍵名 --alias {text}` 把它加為某一項的別名），再重新匯入"),
    "the year {year} is outside what every command can read back ({range}); a typo?": (
        "年份 {year} 超出所有命令都能读回的范围（{range}）；是否打错了？",
        "年份 {year} 超出所有命令都能讀回的範圍（{range}）；是否打錯了？"),
    "a time of day without a date": ("只有时刻，没有日期", "只有時刻，沒有日期"),
    "not a date": ("不是日期", "不是日期"),
    "not a valid date or time; write e.g. 2024-05-01 14:30": (
        "不是有效的日期或时间；请写成例如 2024-05-01 14:30",
        "不是有效的日期或時間；請寫成例如 2024-05-01 14:30"),
    "not a verification result; use pass/fail (通过/不通过), optionally followed by ': reason'": (
        "不是验证结果；请用 通过/不通过（pass/fail），后面可接 '：原因'",
        "不是驗證結果；請用 通過/不通過（pass/fail），後面可接 '：原因'"),
    "scores need value, urgency, cost and impact, e.g. value=8; urgency=7; cost=3; impact=8": (
        "评分需要 value、urgency、cost 和 impact 四项，例如 value=8; urgency=7; cost=3; impact=8",
        "評分需要 value、urgency、cost 和 impact 四項，例如 value=8; urgency=7; cost=3; impact=8"),
    "each score is between 1 and 10": ("每项评分都在 1 到 10 之间", "每項評分都在 1 到 10 之間"),
    "not yes or no": ("不是“是”或“否”", "不是「是」或「否」"),
    "the link {line!r} is not `<kind> → <ID>` or `<kind> ← <ID>` with a kind of {kinds} (or its label)": (
        "关联「{line}」不是 `<类型> → <编号>` 或 `<类型> ← <编号>` 的形式，类型须为 {kinds}（或其名称）",
        "關聯「{line}」不是 `<類型> → <編號>` 或 `<類型> ← <編號>` 的形式，類型須為 {kinds}（或其名稱）"),
    "the process log has an entry dated {at}, a year outside what every command can read back ({range}); a typo?": (
        "处理过程中有一条日期为 {at} 的记录，其年份超出所有命令都能读回的范围（{range}）；是否打错了？",
        "處理過程中有一筆日期為 {at} 的記錄，其年份超出所有命令都能讀回的範圍（{range}）；是否打錯了？"),
    # -- e-mail (mail.py) -------------------------------------------------------------------------
    "e-mail is not set up: set the SMTP server with `reqtrack config set smtp.host HOST` (and smtp.port, "
    "smtp.security, smtp.user, smtp.from; docs/notices.md)": (
        "尚未设置邮件：请用 `reqtrack config set smtp.host 主机` 设置 SMTP 服务器"
        "（以及 smtp.port、smtp.security、smtp.user、smtp.from；见 docs/notices.md）",
        "尚未設定郵件：請用 `reqtrack config set smtp.host 主機` 設定 SMTP 伺服器"
        "（以及 smtp.port、smtp.security、smtp.user、smtp.from；見 docs/notices.md）"),
    "e-mail has no sender: set it with `reqtrack config set smtp.from 'Support <support@example.com>'`": (
        "邮件没有发件人：请用 `reqtrack config set smtp.from '客服团队 <support@example.com>'` 设置",
        "郵件沒有寄件人：請用 `reqtrack config set smtp.from '客服團隊 <support@example.com>'` 設定"),
    "{what} {text!r} is not an e-mail address (name@example.com, or Name <name@example.com>)": (
        "{what}「{text}」不是电子邮件地址（应为 name@example.com 或 姓名 <name@example.com>）",
        "{what}「{text}」不是電子郵件地址（應為 name@example.com 或 姓名 <name@example.com>）"),
    "the sender (smtp.from)": ("发件人（smtp.from）", "寄件人（smtp.from）"),
    "the recipient": ("收件人", "收件人"),
    "the message holds text that is not valid Unicode (a lone surrogate) and cannot be sent as UTF-8": (
        "邮件中含有无效的 Unicode 文字（孤立的代理字符），无法按 UTF-8 发送",
        "郵件中含有無效的 Unicode 文字（孤立的代理字元），無法按 UTF-8 傳送"),
    "cannot send e-mail through the SMTP server {server}: {reason}": (
        "无法通过 SMTP 服务器 {server} 发送邮件：{reason}",
        "無法透過 SMTP 伺服器 {server} 傳送郵件：{reason}"),
    "cannot send e-mail through the SMTP server {server}: {reason}; {sent} of {total} messages were sent before the "
    "failure, the other {left} were not": (
        "无法通过 SMTP 服务器 {server} 发送邮件：{reason}；失败前 {total} 封中已发出 {sent} 封，其余 {left} 封未发出",
        "無法透過 SMTP 伺服器 {server} 傳送郵件：{reason}；失敗前 {total} 封中已寄出 {sent} 封，其餘 {left} 封未寄出"),
    "smtp.user is {user!r} but {variable} is not set, so reqtrack cannot log in": (
        "smtp.user 是「{user}」，但没有设置 {variable}，因此 reqtrack 无法登录",
        "smtp.user 是「{user}」，但沒有設定 {variable}，因此 reqtrack 無法登入"),
    "the server refused the login of {user!r} ({code}); check smtp.user and {variable}": (
        "服务器拒绝了「{user}」的登录（{code}）；请检查 smtp.user 和 {variable}",
        "伺服器拒絕了「{user}」的登入（{code}）；請檢查 smtp.user 和 {variable}"),
    "the server does not offer STARTTLS; check smtp.security (starttls, ssl or none) and smtp.port": (
        "服务器不支持 STARTTLS；请检查 smtp.security（starttls、ssl 或 none）和 smtp.port",
        "伺服器不支援 STARTTLS；請檢查 smtp.security（starttls、ssl 或 none）和 smtp.port"),
    "the server does not offer the login (AUTH); check smtp.security (starttls, ssl or none) and smtp.port": (
        "服务器不支持登录（AUTH）；请检查 smtp.security（starttls、ssl 或 none）和 smtp.port",
        "伺服器不支援登入（AUTH）；請檢查 smtp.security（starttls、ssl 或 none）和 smtp.port"),
    "the server refused the recipient {refused}": (
        "服务器拒绝了收件人 {refused}",
        "伺服器拒絕了收件人 {refused}"),
    "the server refused the sender {sender} ({code}); check smtp.from": (
        "服务器拒绝了发件人 {sender}（{code}）；请检查 smtp.from",
        "伺服器拒絕了寄件人 {sender}（{code}）；請檢查 smtp.from"),
    "the server closed the connection (is smtp.security right for this port?)": (
        "服务器关闭了连接（smtp.security 与这个端口匹配吗？）",
        "伺服器關閉了連線（smtp.security 與這個連接埠相符嗎？）"),
    "the server answered {code} {text}": (
        "服务器回复 {code} {text}",
        "伺服器回覆 {code} {text}"),
    "its TLS certificate is not trusted ({why})": (
        "它的 TLS 证书不受信任（{why}）",
        "它的 TLS 憑證不受信任（{why}）"),
    "TLS failed ({why}); is smtp.security right for this port?": (
        "TLS 失败（{why}）；smtp.security 与这个端口匹配吗？",
        "TLS 失敗（{why}）；smtp.security 與這個連接埠相符嗎？"),
    "the host name is not known (check smtp.host)": (
        "主机名无法解析（请检查 smtp.host）",
        "主機名稱無法解析（請檢查 smtp.host）"),
    "the connection was refused (is the server running, and are smtp.host and smtp.port right?)": (
        "连接被拒绝（服务器在运行吗？smtp.host 和 smtp.port 对吗？）",
        "連線被拒絕（伺服器在執行嗎？smtp.host 和 smtp.port 對嗎？）"),
    "it did not answer within {seconds:g} s": (
        "它在 {seconds:g} 秒内没有回应",
        "它在 {seconds:g} 秒內沒有回應"),
    "it cannot be reached ({why})": (
        "无法连接到它（{why}）",
        "無法連線到它（{why}）"),
    "{why}": ("{why}", "{why}"),
    # -- notice templates (views/notices.py) ------------------------------------------------------
    "subject": ("主题", "主旨"),
    "body": ("正文", "內文"),
    "the template's first line must be the subject (it is empty)": (
        "模板的第一行必须是主题（现在是空的）",
        "範本的第一行必須是主旨（現在是空的）"),
    "the template's second line must be blank: the first line is the subject, the body follows the blank line": (
        "模板的第二行必须为空：第一行是主题，正文在空行之后",
        "範本的第二行必須為空：第一行是主旨，內文在空行之後"),
    "the template has no body after the subject and the blank line": (
        "模板在主题和空行之后没有正文",
        "範本在主旨和空行之後沒有內文"),
    "the template has a syntax error in its {part}, line {line}: {detail}": (
        "模板的{part}第 {line} 行有语法错误：{detail}",
        "範本的{part}第 {line} 行有語法錯誤：{detail}"),
    "the template uses {{% {tag} %}} on line {line}; a notice template stands alone (use the placeholders "
    "instead)": (
        "模板第 {line} 行用了 {{% {tag} %}}；通知模板须独立成篇（请改用占位符）",
        "範本第 {line} 行用了 {{% {tag} %}}；通知範本須獨立成篇（請改用預留位置）"),
    "the template cannot be used ({part}, line {line}): {detail}": (
        "模板无法使用（{part}第 {line} 行）：{detail}",
        "範本無法使用（{part}第 {line} 行）：{detail}"),
    "the template uses the unknown placeholder {names} in its {part}; known placeholders: {known}": (
        "模板的{part}用了未知的占位符 {names}；已知的占位符：{known}",
        "範本的{part}用了未知的預留位置 {names}；已知的預留位置：{known}"),
    "the template uses the unknown placeholders {names} in its {part}; known placeholders: {known}": (
        "模板的{part}用了未知的占位符 {names}；已知的占位符：{known}",
        "範本的{part}用了未知的預留位置 {names}；已知的預留位置：{known}"),
    "the template has {count} characters; at most {most} are allowed": (
        "模板有 {count} 个字符；最多允许 {most} 个",
        "範本有 {count} 個字元；最多允許 {most} 個"),
    "the template's subject must contain {{ id }}, so that the customer's reply names the request": (
        "模板的主题必须包含 {{ id }}，这样客户回复时才会带上需求编号",
        "範本的主旨必須包含 {{ id }}，這樣客戶回覆時才會帶上需求編號"),
    "the {kind} notice template ({lang}) cannot be filled: {detail}": (
        "{kind} 通知模板（{lang}）无法填充：{detail}",
        "{kind} 通知範本（{lang}）無法填入：{detail}"),
}

"""The error sentences of the database (`storage/`: the file, the server, the repository) in
simplified and traditional Chinese: English template -> (zh-CN, zh-TW)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # -- the SQLite file (storage/db.py) ------------------------------------------------------------
    "{path} is an empty file, not a reqtrack database; move it away or choose another --db": (
        "{path} 是空文件，不是 reqtrack 数据库；请把它移走，或用 --db 指定另一个",
        "{path} 是空檔案，不是 reqtrack 資料庫；請把它移走，或用 --db 指定另一個"),
    "{path} is not a reqtrack database (not an SQLite file); choose another --db": (
        "{path} 不是 reqtrack 数据库（不是 SQLite 文件）；请用 --db 指定另一个",
        "{path} 不是 reqtrack 資料庫（不是 SQLite 檔案）；請用 --db 指定另一個"),
    "{path} has writes not yet merged into it ({path}-wal) and its directory is read-only, so it cannot be read "
    "whole; copy the database with its -wal file to a writable directory": (
        "{path} 还有尚未合并的写入（{path}-wal），而它所在的目录只读，因此无法完整读取；"
        "请把数据库连同 -wal 文件复制到可写的目录",
        "{path} 還有尚未合併的寫入（{path}-wal），而它所在的目錄唯讀，因此無法完整讀取；"
        "請把資料庫連同 -wal 檔案複製到可寫入的目錄"),
    "--db names a {scheme}:// URL; reqtrack keeps its database in a SQLite file or on a PostgreSQL server "
    "(postgresql://…), so give a file path or a postgresql:// URL with --db": (
        "--db 指定的是 {scheme}:// 网址；reqtrack 的数据库只能放在 SQLite 文件或 PostgreSQL 服务器"
        "（postgresql://…）上，请用 --db 指定文件路径或 postgresql:// 网址",
        "--db 指定的是 {scheme}:// 網址；reqtrack 的資料庫只能放在 SQLite 檔案或 PostgreSQL 伺服器"
        "（postgresql://…）上，請用 --db 指定檔案路徑或 postgresql:// 網址"),
    "{path} is locked by another process (another reqtrack writing?) for more than {seconds:g} s; try again "
    "shortly, or raise REQTRACK_BUSY_TIMEOUT": (
        "{path} 被另一个进程锁定超过 {seconds:g} 秒（另一个 reqtrack 正在写入？）；请稍后重试，或调大 REQTRACK_BUSY_TIMEOUT",
        "{path} 被另一個行程鎖定超過 {seconds:g} 秒（另一個 reqtrack 正在寫入？）；請稍後重試，或調大 REQTRACK_BUSY_TIMEOUT"),
    "{path} is read-only; this command writes, so make it writable or use a copy": (
        "{path} 是只读的；这个命令需要写入，请把它改为可写，或使用副本",
        "{path} 是唯讀的；這個命令需要寫入，請把它改為可寫入，或使用副本"),
    "the disk holding {path} is full; nothing was written, free some space and try again": (
        "{path} 所在的磁盘已满；没有写入任何内容，请腾出空间后重试",
        "{path} 所在的磁碟已滿；沒有寫入任何內容，請騰出空間後重試"),
    "{path} is damaged ({detail}); run `reqtrack check` and restore the latest backup (`reqtrack backup` makes "
    "them)": (
        "{path} 已损坏（{detail}）；请运行 `reqtrack check`，并恢复最近的备份（备份由 `reqtrack backup` 生成）",
        "{path} 已損壞（{detail}）；請執行 `reqtrack check`，並還原最近的備份（備份由 `reqtrack backup` 產生）"),
    "cannot use the database {database}: {detail}": (
        "无法使用数据库 {database}：{detail}",
        "無法使用資料庫 {database}：{detail}"),
    "cannot create a database in {directory}: {reason}": (
        "无法在 {directory} 中创建数据库：{reason}",
        "無法在 {directory} 中建立資料庫：{reason}"),
    "cannot create the database {path}: {reason}; nothing was written": (
        "无法创建数据库 {path}：{reason}；没有写入任何内容",
        "無法建立資料庫 {path}：{reason}；沒有寫入任何內容"),
    "{database} was created by another process while this command was making it anew; this command wrote nothing "
    "to it: run the command again": (
        "在这个命令新建 {database} 的同时，另一个进程已经创建了它；这个命令没有向其中写入任何内容：请重新运行这个命令",
        "在這個命令新建 {database} 的同時，另一個行程已經建立了它；這個命令沒有向其中寫入任何內容：請重新執行這個命令"),
    "{path} needs an upgrade of its schema (version {version}), but the safety copy {target} cannot be written "
    "({reason}); make room or make the directory writable": (
        "{path} 的结构（版本 {version}）需要升级，但无法写入安全副本 {target}（{reason}）；请腾出空间，或把目录改为可写",
        "{path} 的結構（版本 {version}）需要升級，但無法寫入安全副本 {target}（{reason}）；請騰出空間，或把目錄改為可寫入"),
    "{path} is a directory, not a reqtrack database; give a file path with --db": (
        "{path} 是目录，不是 reqtrack 数据库；请用 --db 指定文件路径",
        "{path} 是目錄，不是 reqtrack 資料庫；請用 --db 指定檔案路徑"),
    "{path} is not a regular file, so not a reqtrack database; give a file path with --db": (
        "{path} 不是普通文件，因此不是 reqtrack 数据库；请用 --db 指定文件路径",
        "{path} 不是一般檔案，因此不是 reqtrack 資料庫；請用 --db 指定檔案路徑"),
    "{path} is an SQLite file but not a reqtrack database; choose another --db": (
        "{path} 是 SQLite 文件，但不是 reqtrack 数据库；请用 --db 指定另一个",
        "{path} 是 SQLite 檔案，但不是 reqtrack 資料庫；請用 --db 指定另一個"),
    "no reqtrack database at {path}; register a first request with `reqtrack new` to create it": (
        "{path} 没有 reqtrack 数据库；用 `reqtrack new` 登记第一条需求即可创建",
        "{path} 沒有 reqtrack 資料庫；用 `reqtrack new` 登記第一筆需求即可建立"),
    "cannot read {path}: permission denied": (
        "无法读取 {path}：权限不足",
        "無法讀取 {path}：權限不足"),
    "{database} was written by a newer reqtrack (schema {version}, this one knows {known}); upgrade reqtrack to "
    "use it": (
        "{database} 由更新版本的 reqtrack 写入（结构版本 {version}，本版本只认识 {known}）；请升级 reqtrack 后再使用",
        "{database} 由更新版本的 reqtrack 寫入（結構版本 {version}，本版本只認得 {known}）；請升級 reqtrack 後再使用"),
    "{path} needs an upgrade of its schema (version {version}) but is read-only; make it writable once (a copy is "
    "kept beside it) or use the reqtrack that wrote it": (
        "{path} 的结构（版本 {version}）需要升级，但它是只读的；请暂时把它改为可写（旁边会保留一份副本），"
        "或使用写入它的那个 reqtrack 版本",
        "{path} 的結構（版本 {version}）需要升級，但它是唯讀的；請暫時把它改為可寫入（旁邊會保留一份副本），"
        "或使用寫入它的那個 reqtrack 版本"),
    # -- the repository (storage/repository.py, storage/stored.py) -------------------------------
    "no request {rid!r}; `reqtrack list` shows the IDs": (
        "没有需求「{rid}」；`reqtrack list` 可列出全部编号",
        "沒有需求「{rid}」；`reqtrack list` 可列出全部編號"),
    "request {rid} has no attachment {number}; `reqtrack show {rid}` lists them": (
        "需求 {rid} 没有第 {number} 个附件；`reqtrack show {rid}` 可列出它的附件",
        "需求 {rid} 沒有第 {number} 個附件；`reqtrack show {rid}` 可列出它的附件"),
    "request {rid}'s {field}": (
        "需求 {rid} 的{field}",
        "需求 {rid} 的{field}"),
    "request {rid}'s history entry {seq} at": (
        "需求 {rid} 第 {seq} 条处理记录的时间",
        "需求 {rid} 第 {seq} 筆處理記錄的時間"),
    "{what} {at} cannot be stored: {range}": (
        "{what} {at} 无法保存：{range}",
        "{what} {at} 無法儲存：{range}"),
    # -- the team database (storage/server.py) ----------------------------------------------------
    "database {dbname} on {host}:{port}": (
        "{host}:{port} 上的数据库 {dbname}",
        "{host}:{port} 上的資料庫 {dbname}"),
    "schema {schema} of database {dbname} on {host}:{port}": (
        "{host}:{port} 上数据库 {dbname} 的模式 {schema}",
        "{host}:{port} 上資料庫 {dbname} 的結構描述 {schema}"),
    "--db names a PostgreSQL server, but its driver (psycopg 3) is not installed; install it with: pip install "
    "'reqtrack[postgres]'": (
        "--db 指定的是 PostgreSQL 服务器，但没有安装它的驱动（psycopg 3）；请用 pip install 'reqtrack[postgres]' 安装",
        "--db 指定的是 PostgreSQL 伺服器，但沒有安裝它的驅動程式（psycopg 3）；請用 pip install 'reqtrack[postgres]' 安裝"),
    "--db: the PostgreSQL URL cannot be read; the form is postgresql://[user[:password]@]host[:port]/dbname": (
        "--db：无法识别这个 PostgreSQL 网址；格式为 postgresql://[用户[:密码]@]主机[:端口]/数据库名",
        "--db：無法識別這個 PostgreSQL 網址；格式為 postgresql://[使用者[:密碼]@]主機[:連接埠]/資料庫名稱"),
    "--db: schema {schema!r} is not a plain name (letters, digits, _ and $, at most 63)": (
        "--db：模式名「{schema}」不是简单的名称（只能用字母、数字、_ 和 $，最多 63 个）",
        "--db：結構描述名稱「{schema}」不是簡單的名稱（只能用字母、數字、_ 和 $，最多 63 個）"),
    "no reqtrack database in {database}; register a first request with `reqtrack new` to create it (or `reqtrack "
    "copy` one there)": (
        "{database} 中没有 reqtrack 数据库；用 `reqtrack new` 登记第一条需求即可创建（或用 `reqtrack copy` 复制一个过去）",
        "{database} 中沒有 reqtrack 資料庫；用 `reqtrack new` 登記第一筆需求即可建立（或用 `reqtrack copy` 複製一個過去）"),
    "{database} holds tables that are not reqtrack's; name another schema with ?schema=NAME in the URL (reqtrack "
    "keeps its tables in a schema of their own)": (
        "{database} 中有不属于 reqtrack 的表；请在网址中用 ?schema=名称 指定另一个模式（reqtrack 的表放在自己的模式里）",
        "{database} 中有不屬於 reqtrack 的資料表；請在網址中用 ?schema=名稱 指定另一個結構描述"
        "（reqtrack 的資料表放在自己的結構描述裡）"),
    "cannot use the {database}: {detail}": (
        "无法使用{database}：{detail}",
        "無法使用{database}：{detail}"),
    "the connection failed": ("连接失败", "連線失敗"),
    "a text holds a NUL character (U+0000), which PostgreSQL cannot store; remove it and try again": (
        "文字中含有 NUL 字符（U+0000），PostgreSQL 无法保存；请删除后重试",
        "文字中含有 NUL 字元（U+0000），PostgreSQL 無法儲存；請刪除後重試"),
    "the {database} is locked by another writer for more than {seconds:g} s; try again shortly, or raise "
    "REQTRACK_BUSY_TIMEOUT": (
        "{database}被另一个写入者锁定超过 {seconds:g} 秒；请稍后重试，或调大 REQTRACK_BUSY_TIMEOUT",
        "{database}被另一個寫入者鎖定超過 {seconds:g} 秒；請稍後重試，或調大 REQTRACK_BUSY_TIMEOUT"),
    "role {user} may not write to the {database} (permission denied); this command writes: use a role that may "
    "(docs/team.md)": (
        "角色 {user} 无权写入{database}（权限不足）；这个命令需要写入：请使用有写入权限的角色（docs/team.md）",
        "角色 {user} 無權寫入{database}（權限不足）；這個命令需要寫入：請使用有寫入權限的角色（docs/team.md）"),
    "role {user} may not read the {database} (permission denied); ask for SELECT on its tables and USAGE on the "
    "schema (docs/team.md)": (
        "角色 {user} 无权读取{database}（权限不足）；请申请其表的 SELECT 权限和模式的 USAGE 权限（docs/team.md）",
        "角色 {user} 無權讀取{database}（權限不足）；請申請其資料表的 SELECT 權限和結構描述的 USAGE 權限（docs/team.md）"),
    "the server at {where} takes no writes (a standby?); the {database} can only be read there": (
        "{where} 的服务器不接受写入（是备用服务器？）；在那里{database}只能读取",
        "{where} 的伺服器不接受寫入（是備援伺服器？）；在那裡{database}只能讀取"),
    "the server at {where} is out of disk space; nothing was written": (
        "{where} 的服务器磁盘空间不足；没有写入任何内容",
        "{where} 的伺服器磁碟空間不足；沒有寫入任何內容"),
    "authentication failed for role {user} on the server at {where} (database {dbname}); check the password "
    "(PGPASSWORD, ~/.pgpass or the URL); it is never shown": (
        "角色 {user} 在 {where} 的服务器上（数据库 {dbname}）身份验证失败；请检查密码（PGPASSWORD、~/.pgpass 或网址）；"
        "密码从不显示",
        "角色 {user} 在 {where} 的伺服器上（資料庫 {dbname}）身分驗證失敗；請檢查密碼（PGPASSWORD、~/.pgpass 或網址）；"
        "密碼從不顯示"),
    "there is no role {user} on the server at {where} (database {dbname}); create it or name another user in --db": (
        "{where} 的服务器上（数据库 {dbname}）没有角色 {user}；请创建它，或在 --db 中指定另一个用户",
        "{where} 的伺服器上（資料庫 {dbname}）沒有角色 {user}；請建立它，或在 --db 中指定另一個使用者"),
    "there is no database {dbname} on the server at {where}; create it (createdb {dbname}) or name another in --db": (
        "{where} 的服务器上没有数据库 {dbname}；请创建它（createdb {dbname}），或在 --db 中指定另一个",
        "{where} 的伺服器上沒有資料庫 {dbname}；請建立它（createdb {dbname}），或在 --db 中指定另一個"),
    "the server at {where} takes no more connections (too many clients); try again shortly, or ask its "
    "administrator to raise max_connections": (
        "{where} 的服务器不再接受连接（客户端太多）；请稍后重试，或请管理员调高 max_connections",
        "{where} 的伺服器不再接受連線（用戶端太多）；請稍後重試，或請管理員調高 max_connections"),
    "cannot reach the PostgreSQL server at {where} (database {dbname}); is it running, and are host and port "
    "right?": (
        "无法连接 {where} 的 PostgreSQL 服务器（数据库 {dbname}）；它在运行吗？主机和端口对吗？",
        "無法連線到 {where} 的 PostgreSQL 伺服器（資料庫 {dbname}）；它在執行嗎？主機和連接埠對嗎？"),
    "the connection to the server at {where} (database {dbname}) was lost; nothing of this command was written; "
    "try again": (
        "与 {where} 的服务器（数据库 {dbname}）的连接已断开；这个命令没有写入任何内容；请重试",
        "與 {where} 的伺服器（資料庫 {dbname}）的連線已中斷；這個命令沒有寫入任何內容；請重試"),
}

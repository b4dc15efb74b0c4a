"""The command line's own error sentences (`cli/`) in simplified and traditional Chinese: English
template -> (zh-CN, zh-TW). Click's usage errors are in `usage.py`."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # -- every command (cli/common.py) --------------------------------------------------------------
    "internal error ({kind}: {detail}); please report it (run again with {variable}=1 for the traceback)": (
        "内部错误（{kind}：{detail}）；请报告这个问题（设置 {variable}=1 再运行一次可看到回溯信息）",
        "內部錯誤（{kind}：{detail}）；請回報這個問題（設定 {variable}=1 再執行一次可看到回溯資訊）"),
    "interrupted; nothing half-written was kept": (
        "已中断；没有留下写了一半的内容",
        "已中斷；沒有留下寫了一半的內容"),
    "{problem} is not valid UTF-8 text; check the encoding of the terminal or script that passed it (<0xFF> marks a "
    "byte that is not UTF-8)": (
        "{problem}不是有效的 UTF-8 文字；请检查传入它的终端或脚本的编码（<0xFF> 标出不是 UTF-8 的字节）",
        "{problem}不是有效的 UTF-8 文字；請檢查傳入它的終端機或指令稿的編碼（<0xFF> 標出不是 UTF-8 的位元組）"),
    "argument {index} ({text})": ("第 {index} 个参数（{text}）", "第 {index} 個參數（{text}）"),
    "the environment variable {name} ({text})": ("环境变量 {name}（{text}）", "環境變數 {name}（{text}）"),
    "{what} on stdin is not valid {name} text (byte 0x{byte:02X} at offset {offset}); save it as {name} and try "
    "again": (
        "标准输入中的{what}不是有效的 {name} 文字（偏移 {offset} 处的字节 0x{byte:02X}）；请存为 {name} 后重试",
        "標準輸入中的{what}不是有效的 {name} 文字（位移 {offset} 處的位元組 0x{byte:02X}）；請存為 {name} 後重試"),
    "{encoding} (the locale's encoding)": ("{encoding}（系统区域设置的编码）", "{encoding}（系統地區設定的編碼）"),
    "the template": ("模板", "範本"),
    "upgraded {database} from schema {old}": (
        "已把 {database} 从结构版本 {old} 升级",
        "已把 {database} 從結構版本 {old} 升級"),
    "upgraded {database} from schema {old}; a copy of the old file is at {path}": (
        "已把 {database} 从结构版本 {old} 升级；旧文件的副本在 {path}",
        "已把 {database} 從結構版本 {old} 升級；舊檔案的副本在 {path}"),
    "--force: {target} holds {count} request; dropping it and everything else in it before copying": (
        "--force：{target} 中有 {count} 条需求；复制前将删除它及其中的一切",
        "--force：{target} 中有 {count} 筆需求；複製前將刪除它及其中的一切"),
    "--force: {target} holds {count} requests; dropping them and everything else in it before copying": (
        "--force：{target} 中有 {count} 条需求；复制前将删除它们及其中的一切",
        "--force：{target} 中有 {count} 筆需求；複製前將刪除它們及其中的一切"),
    "note: {note}": ("注意：{note}", "注意：{note}"),
    # -- notices and reminders (cli/notices.py, cli/remind.py) ------------------------------------
    "--sent records a notice that went another way and --send e-mails and records it: use one": (
        "--sent 记录以其他方式发出的通知，--send 用邮件发送并记录：二者只能用一个",
        "--sent 記錄以其他方式傳送的通知，--send 用郵件寄出並記錄：兩者只能用一個"),
    "--via and --at describe a notice recorded with --sent": (
        "--via 和 --at 用来说明以 --sent 记录的通知",
        "--via 和 --at 用來說明以 --sent 記錄的通知"),
    "template file {file} does not exist or is not a file": (
        "模板文件 {file} 不存在或不是文件",
        "範本檔案 {file} 不存在或不是檔案"),
    "template file {file} is not UTF-8 text (byte 0x{byte:02X} at offset {offset}); save it as UTF-8 and try again": (
        "模板文件 {file} 不是 UTF-8 文字（偏移 {offset} 处的字节 0x{byte:02X}）；请存为 UTF-8 后重试",
        "範本檔案 {file} 不是 UTF-8 文字（位移 {offset} 處的位元組 0x{byte:02X}）；請存為 UTF-8 後重試"),
    "{file}: {problem}; the {kind} template ({lang}) was not changed": (
        "{file}：{problem}；{kind} 模板（{lang}）没有改动",
        "{file}：{problem}；{kind} 範本（{lang}）沒有變更"),
    "--json lists the rows and --send reports what was e-mailed: use one": (
        "--json 列出各行，--send 报告已发出的邮件：二者只能用一个",
        "--json 列出各列，--send 報告已寄出的郵件：兩者只能用一個"),
}

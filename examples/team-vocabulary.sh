#!/usr/bin/env bash
# Set up the vocabularies of the feedback guide (seed feedback-response-guide: "可根据企业实际调整"):
# its five categories 功能需求, 问题反馈, 咨询类, 建议类, 投诉类 with the departments they are routed
# to (根据需求类型分配至对应处理部门: 功能需求 → 产品部, 系统故障 → 技术部, 咨询类 → 客服部), and the
# channels a Chinese team receives requests on: 企业微信, 钉钉, 工单平台.
#
#   examples/team-vocabulary.sh                 # on REQTRACK_DB (or the default database)
#   REQTRACK_DB=/srv/reqtrack.db examples/team-vocabulary.sh
#   REQTRACK_DB=postgresql://lead@db.example/support examples/team-vocabulary.sh
#   examples/team-vocabulary.sh --demo          # on a temporary database, with a complaint routed
#
# Run it once per database: the entries are kept in the database (table `vocabulary`) and the
# whole team types and sees the same names; `reqtrack copy` carries them. A second run stops at
# the first `vocab add` (the key exists: exit 2) and changes nothing.
set -euo pipefail

if [[ "${1:-}" == "--demo" ]]; then
    export REQTRACK_DB="$(mktemp -d)/demo.db"
    export REQTRACK_NOW="${REQTRACK_NOW:-2025-03-14T10:00:00+08:00}"
    reqtrack new "示例：初始化数据库" --customer 演示 >/dev/null  # creates the database
fi

# 功能需求 (product and service features, new ones included) and 问题反馈 (faults, errors,
# defects) are the built-in feature/improvement and bug: they take the guide's names as
# aliases and get their departments.
reqtrack vocab edit type feature --alias 功能需求类 --dept 产品部
reqtrack vocab edit type improvement --dept 产品部
reqtrack vocab edit type bug --alias 问题反馈类 --alias 系统故障 --dept 技术部

# 咨询 (a question) means the new 咨询类 in this team, not the built-in 服务支持: free the name first,
# since each name belongs to one key.
reqtrack vocab edit type support --drop-alias 咨询 --drop-alias 諮詢
reqtrack vocab add type consult --en Inquiry --zh-CN 咨询类 --zh-TW 諮詢類 \
    --alias 咨询 --alias 諮詢 --alias question --dept 客服部
reqtrack vocab add type suggestion --en Suggestion --zh-CN 建议类 --zh-TW 建議類 \
    --alias 建议 --alias 建議 --alias 意见 --dept 客服部
reqtrack vocab add type complaint --en Complaint --zh-CN 投诉类 --zh-TW 投訴類 \
    --alias 投诉 --alias 投訴 --alias 客诉 --dept 客户成功部

reqtrack vocab add source wecom --en WeCom --zh-CN 企业微信 --zh-TW 企業微信 --alias 企微 --alias "WeChat Work"
reqtrack vocab add source dingtalk --en DingTalk --zh-CN 钉钉 --zh-TW 釘釘 --alias 钉钉群
reqtrack vocab add source ticket --en "Ticket system" --zh-CN 工单平台 --zh-TW 工單平台 --alias 工单 --alias 工單

reqtrack --lang zh-CN vocab show

if [[ "${1:-}" == "--demo" ]]; then
    id=$(reqtrack new "客服回复太慢，要求说明原因" --customer 华信银行 --source 企微 --type 投诉 --priority high)
    reqtrack --lang zh-CN assign "$id" --owner 王芳 --due +1wd
    reqtrack --lang zh-CN new "x" --customer 演示 --type 特急类 || echo "(exit $?: 特急类 is not a type of this database)"
fi

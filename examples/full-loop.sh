#!/usr/bin/env bash
# Walk one request through the whole loop on a temporary database, backfilling times with --at.
# Run from anywhere after `pip install .`:  bash examples/full-loop.sh
set -euo pipefail
export REQTRACK_DB="$(mktemp -d)/demo.db"
export REQTRACK_USER="support-lead"

id=$(reqtrack new "希望在数据报表模块增加“自定义时间范围筛选”功能，支持导出为PDF格式" \
       --customer "科技有限公司" --source 电话 --proposer 王经理 --liaison 李工 --at "2024-05-01 14:30")
echo "registered $id"
reqtrack progress "$id" "已收到需求，预计2个工作日内答复" --at "2024-05-01 15:00"
reqtrack classify "$id" --type 功能优化 --value 7 --urgency 5 --cost 4 --impact 6 \
       --feasibility now --reason "需求评审会确定" --at "2024-05-03 10:00"
reqtrack assign "$id" --owner 张经理 --dept 产品部 --due 2024-05-15 --reason "涉及报表模块" --at "2024-05-03 11:00"
reqtrack progress "$id" "完成功能开发" --at "2024-05-10 18:00"
reqtrack progress "$id" "已上线测试环境" --done --at "2024-05-14 10:00"
reqtrack verify "$id" --pass --satisfaction 满意 --note "客户验证通过" --at "2024-05-14 16:00"
reqtrack close "$id" --at "2024-05-15 09:00"
reqtrack --lang zh-CN show "$id"
reqtrack show "$id" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], len(d["history"]), "history entries")'

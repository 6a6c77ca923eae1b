#!/usr/bin/env bash
# Walk one order through the whole loop with curl against a running demo server (./scripts/run.sh):
# 基层下单 → 属地接单 → 省厅派单 → 专家接单 → 扫码签到 → 签退 → 核实 → 评价 → 时长 → 统计 → 证明.
# Every step is a plain HTTP call a reader can copy. Needs curl and jq.
set -euo pipefail
BASE="${BASE:-http://127.0.0.1:8000}/api/v1"
RUN="$(date +%s)"
OUT="${OUT:-var/demo}"
mkdir -p "$OUT"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
call() { # call METHOD PATH TOKEN [JSON]
  local method=$1 path=$2 token=$3 body=${4:-}
  local args=(-sS -X "$method" "$BASE$path" -H "Authorization: Bearer $token" -w '\n%{http_code}')
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' -d "$body")
  local response status
  response=$(curl "${args[@]}")
  status=$(tail -n1 <<<"$response")
  response=$(sed '$d' <<<"$response")
  if [ "$status" -ge 400 ]; then echo "HTTP $status $response" >&2; exit 1; fi
  printf '%s' "$response"
}
login() { # login IDENTITY → access token
  curl -sS -X POST "$BASE/auth/wechat-login" -H 'Content-Type: application/json' \
    -d "{\"code\": \"$1#demo$RUN\"}" | jq -r .access_token
}

step "登录：需求方、县人社局、省人社厅、专家（模拟微信，code 即身份）"
FARMER=$(login requester-01)
COUNTY=$(login county-admin)
PROVINCE=$(login province-admin)
EXPERT=$(login expert-01)
echo "ok"

step "基层下单：五常市民乐村，水稻育秧技术指导"
TODAY=$(date +%F)
ORDER=$(call POST /orders "$FARMER" "{
  \"items\": [\"rice_seedling_guidance\"],
  \"description\": \"育秧大棚里的秧苗发黄，有的一片一片地蔫了，想请专家来看看\",
  \"region_code\": \"230184200201\", \"address\": \"民乐村三组育秧大棚\",
  \"latitude\": 45.034, \"longitude\": 127.09,
  \"window_start\": \"$TODAY\", \"window_end\": \"$(date -d '+7 day' +%F)\",
  \"contact_phone\": \"13800000201\", \"contact_name\": \"赵大山\"}" | jq -r .id)
echo "需求单 $ORDER"

step "属地接单：县人社局受理"
call POST "/orders/$ORDER/accept" "$COUNTY" | jq -c '{status, status_label}'

step "省厅派单：看推荐及理由，派给排名第一的专家"
RECS=$(call GET "/orders/$ORDER/recommendations?limit=3" "$PROVINCE")
jq -c '.experts[] | {name, title, score, reasons: [.reasons[].text]}' <<<"$RECS" | head -3
EXPERT_ID=$(jq -r '.experts[0].expert_id' <<<"$RECS")
EXPERT_USER_ID=$(call GET /experts/me "$EXPERT" | jq -r .id)
if [ "$EXPERT_ID" != "$EXPERT_USER_ID" ]; then
  echo "（演示账号 expert-01 的专家 id 为 $EXPERT_USER_ID，派给他以便继续演示）"
  EXPERT_ID=$EXPERT_USER_ID
fi
call POST "/orders/$ORDER/dispatch" "$PROVINCE" "{\"expert_id\": $EXPERT_ID}" | jq -c '{status, status_label}'

step "专家接单"
call POST "/orders/$ORDER/expert-accept" "$EXPERT" '{}' | jq -c '{status, status_label, contact_phone}'

step "上门签到：需求方手机出示签到码，专家扫码并附定位"
TOKEN=$(call GET "/orders/$ORDER/checkin-code" "$FARMER" | jq -r .token)
VISIT=$(call POST "/orders/$ORDER/check-in" "$EXPERT" \
  "{\"token\": \"$TOKEN\", \"location\": {\"latitude\": 45.0345, \"longitude\": 127.0903, \"accuracy\": 15}}")
jq -c '{id, status, check_in_at, in_distance_m}' <<<"$VISIT"
VISIT_ID=$(jq -r .id <<<"$VISIT")

step "再扫一次同一个码（网络重试）：返回同一条服务记录"
call POST "/orders/$ORDER/check-in" "$EXPERT" \
  "{\"token\": \"$TOKEN\", \"location\": {\"latitude\": 45.0345, \"longitude\": 127.0903, \"accuracy\": 15}}" \
  | jq -c '{id, repeated}'

step "签退（服务端计时；演示中几秒钟就签退，所以被标记为时间过短，交县人社局核实）"
call POST "/visits/$VISIT_ID/check-out" "$EXPERT" \
  '{"location": {"latitude": 45.0344, "longitude": 127.0902, "accuracy": 12}}' | jq -c '{status, duration_minutes, flags}'

step "服务日志"
call PUT "/visits/$VISIT_ID/log" "$EXPERT" \
  '{"content": "查看育秧大棚，确诊为立枯病，讲解苗床消毒和控温控湿", "problems_solved": 1, "people_trained": 8}' \
  | jq -c '{problems_solved, people_trained}'

step "县人社局核实被标记的服务记录"
call POST "/visits/$VISIT_ID/review" "$COUNTY" '{"approve": true, "reason": "电话回访确认专家到场指导"}' \
  | jq -c '{status, review_reason}'

step "需求方评价（签到码页面变为评价表）"
call GET "/orders/$ORDER/checkin-code" "$FARMER" | jq -c '{rate_visit_id}'
call POST "/visits/$VISIT_ID/rating" "$FARMER" \
  '{"overall": 5, "attitude": 5, "expertise": 5, "solved": "solved", "comment": "讲得明白"}' | jq -c '{overall, solved_label}'

step "专家的服务时长（含演示数据中三天前 4.5 小时的服务）"
call GET /ledger/me "$EXPERT" | jq -c '{hours, service_days, pending_hours, target_days, progress}'

step "需求方确认问题已解决，办结"
call POST "/orders/$ORDER/confirm-solved" "$FARMER" | jq -c '{status, status_label}'

step "县人社局的统计（本年）与 Excel"
call GET "/figures?from=$(date +%Y)-01-01&to=$TODAY" "$COUNTY" \
  | jq -c '.totals | {orders: .orders.total, visits, service_hours, satisfaction}'
curl -sS "$BASE/figures.xlsx?from=$(date +%Y)-01-01&to=$TODAY" -H "Authorization: Bearer $COUNTY" -o "$OUT/figures.xlsx"
echo "已保存 $OUT/figures.xlsx"

step "专家下载服务基层时长证明，并公开核验"
curl -sS -D "$OUT/certificate.headers" "$BASE/certificates/$(date +%Y)" -H "Authorization: Bearer $EXPERT" \
  -o "$OUT/certificate.pdf"
CERT_ID=$(grep -i '^x-certificate-id:' "$OUT/certificate.headers" | tr -d '\r' | awk '{print $2}')
echo "已保存 $OUT/certificate.pdf（证明编号 $CERT_ID）"
curl -sS -X POST "$BASE/certificates/verify" -F "file=@$OUT/certificate.pdf" | jq -c '{authentic}'
printf 'x' >> "$OUT/certificate.pdf"
curl -sS -X POST "$BASE/certificates/verify" -F "file=@$OUT/certificate.pdf" | jq -c '{authentic, "说明": "改动过的文件"}'

step "全过程时间线"
call GET "/orders/$ORDER" "$FARMER" | jq -r '.timeline[] | "\(.at[0:19])  \(.action_label)  \(.actor_role)"'

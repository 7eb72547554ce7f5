#!/usr/bin/env bash
# Plays the customer: the local Twilio simulator receives a text to the shop's number, keeps it
# (its Messages API lists it, as Twilio's does) and posts the signed inbound webhook to ingestion.
#   deploy/local/send-sms.sh +14155550101 "Where is my order?"
# TO (the shop's number, default the demo shop's) and SIMULATOR_URL may be set.
set -euo pipefail
from="${1:?usage: send-sms.sh FROM BODY}"
body="${2:?usage: send-sms.sh FROM BODY}"
to="${TO:-+15555550100}"
simulator="${SIMULATOR_URL:-http://127.0.0.1:8089}"
curl -sS -X POST "${simulator}/simulator/inbound" \
  --data-urlencode "From=${from}" --data-urlencode "To=${to}" --data-urlencode "Body=${body}" \
  -w '\n'

#!/usr/bin/env bash
# Acts as Twilio: posts a signed inbound-SMS webhook to the local ingestion service.
#   deploy/local/send-sms.sh +14155550101 "Where is my order?"
# Uses TWILIO_AUTH_TOKEN, PUBLIC_BASE_URL, INGESTION_PORT and TO (the shop's number) when set.
set -euo pipefail
from="${1:?usage: send-sms.sh FROM BODY}"
body="${2:?usage: send-sms.sh FROM BODY}"
to="${TO:-+15555550100}"
token="${TWILIO_AUTH_TOKEN:-demo-twilio-auth-token}"
account="${TWILIO_ACCOUNT_SID:-AC00000000000000000000000000000000}"
port="${INGESTION_PORT:-8081}"
public="${PUBLIC_BASE_URL:-http://127.0.0.1:${port}}"
sid="SM$(openssl rand -hex 16)"
path=/webhooks/twilio/messages
# Twilio's signature: HMAC-SHA1 of the URL followed by each POST parameter's name and value,
# sorted by name, keyed by the auth token, in base64.
signature="$(printf '%s' "${public}${path}AccountSid${account}Body${body}From${from}MessageSid${sid}To${to}" \
  | openssl dgst -sha1 -hmac "$token" -binary | base64)"
curl -sS -X POST "http://127.0.0.1:${port}${path}" \
  -H "X-Twilio-Signature: ${signature}" \
  --data-urlencode "AccountSid=${account}" --data-urlencode "Body=${body}" --data-urlencode "From=${from}" \
  --data-urlencode "MessageSid=${sid}" --data-urlencode "To=${to}" \
  -w '\n%{http_code}\n'

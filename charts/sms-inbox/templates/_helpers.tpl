{{/* Names, labels and shared wiring of the sms-inbox chart. */}}

{{- define "sms-inbox.fullname" -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "sms-inbox.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" -}}
{{- end -}}

{{/* Labels of every object; pass (dict "root" $ "component" "gateway"). */}}
{{- define "sms-inbox.labels" -}}
helm.sh/chart: {{ include "sms-inbox.chart" .root }}
app.kubernetes.io/name: sms-inbox
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: sms-inbox
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "sms-inbox.selectorLabels" -}}
app.kubernetes.io/name: sms-inbox
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* <registry>/<prefix>-<service>:<tag>, or the service's own `image` (skaffold sets it). */}}
{{- define "sms-inbox.image" -}}
{{- $i := .root.Values.image -}}
{{- $own := (index .root.Values.services .component).image -}}
{{- $own | default (printf "%s/%s-%s:%s" $i.registry $i.repositoryPrefix .component $i.tag) -}}
{{- end -}}

{{- define "sms-inbox.secretName" -}}
{{- if .Values.secrets.create -}}
{{- printf "%s-secrets" (include "sms-inbox.fullname" .) -}}
{{- else -}}
{{- required "secrets.existingSecret is required unless secrets.create is true" .Values.secrets.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "sms-inbox.natsUrl" -}}
{{- if .Values.nats.enabled -}}
{{- printf "nats://%s-nats:4222" (include "sms-inbox.fullname" .) -}}
{{- else -}}
{{- required "nats.externalUrl is required when nats.enabled is false" .Values.nats.externalUrl -}}
{{- end -}}
{{- end -}}

{{/* The in-release MongoDB replica set's URI (no credentials: they stay in the Secret otherwise). */}}
{{- define "sms-inbox.internalMongodbUri" -}}
{{- $fn := include "sms-inbox.fullname" . -}}
{{- $hosts := list -}}
{{- range $i := until (int .Values.mongodb.replicas) -}}
{{- $hosts = append $hosts (printf "%s-mongodb-%d.%s-mongodb:27017" $fn $i $fn) -}}
{{- end -}}
{{- printf "mongodb://%s/?replicaSet=rs0" (join "," $hosts) -}}
{{- end -}}

{{/* gRPC address of a service in this release. */}}
{{- define "sms-inbox.grpcAddr" -}}
{{- printf "%s-%s:%v" (include "sms-inbox.fullname" .root) .component (index .root.Values.services .component).grpcPort -}}
{{- end -}}

{{/* Which Secret keys each service reads: nothing more reaches its pods. */}}
{{- define "sms-inbox.secretKeys" -}}
{{- $keys := dict
  "gateway" (list "SHOPIFY_API_KEY" "SHOPIFY_API_SECRET" "TWILIO_ACCOUNT_SID" "TWILIO_AUTH_TOKEN")
  "ingestion" (list "SHOPIFY_API_SECRET" "TWILIO_ACCOUNT_SID" "TWILIO_AUTH_TOKEN")
  "delivery" (list "TWILIO_ACCOUNT_SID" "TWILIO_AUTH_TOKEN")
  "subscriber" (list)
  "conversation" (list)
  "scheduler" (list)
  "inbox-web" (list "SHOPIFY_API_KEY") -}}
{{- toJson (index $keys .) -}}
{{- end -}}

{{/* Which gRPC services each service calls (for its environment and its egress policy). */}}
{{- define "sms-inbox.grpcPeers" -}}
{{- $peers := dict
  "gateway" (list "subscriber" "conversation")
  "ingestion" (list "subscriber")
  "conversation" (list "subscriber")
  "delivery" (list "subscriber")
  "scheduler" (list "subscriber")
  "subscriber" (list)
  "inbox-web" (list) -}}
{{- toJson (index $peers .) -}}
{{- end -}}

{{- define "sms-inbox.usesMongodb" -}}
{{- if not (has . (list "gateway" "inbox-web")) -}}true{{- end -}}
{{- end -}}

{{/* The inbox page serves files only: no broker. */}}
{{- define "sms-inbox.usesNats" -}}
{{- if ne . "inbox-web" -}}true{{- end -}}
{{- end -}}

{{/* The gateway's public origin as browsers reach it (the inbox page calls it). */}}
{{- define "sms-inbox.gatewayPublicUrl" -}}
{{- .Values.inboxWeb.gatewayPublicUrl | default (printf "https://%s" .Values.ingress.gatewayHost) -}}
{{- end -}}

{{- define "sms-inbox.callsTwilio" -}}
{{- if has . (list "gateway" "ingestion" "delivery") -}}true{{- end -}}
{{- end -}}

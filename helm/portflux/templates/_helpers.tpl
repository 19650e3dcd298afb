{{/*
Chart name, truncated to the 63 characters a label value allows.
*/}}
{{- define "portflux.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: the release name, plus the chart name unless the release already
contains it. Truncated to 63 characters because some name fields are DNS labels.
*/}}
{{- define "portflux.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "portflux.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels: the stable subset of the labels. They never change across upgrades, because a
Deployment's selector is immutable.
*/}}
{{- define "portflux.selectorLabels" -}}
app.kubernetes.io/name: {{ include "portflux.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels on every object.
*/}}
{{- define "portflux.labels" -}}
helm.sh/chart: {{ include "portflux.chart" . }}
{{ include "portflux.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: scanner
app.kubernetes.io/part-of: portflux
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Name of the ServiceAccount the pods run as.
*/}}
{{- define "portflux.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "portflux.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image reference: repository plus digest when given, else tag (default: the chart's appVersion).
*/}}
{{- define "portflux.image" -}}
{{- $repository := .Values.image.repository }}
{{- with .Values.image.registry }}
{{- $repository = printf "%s/%s" . $repository }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Directory the ConfigMap is mounted at; SPRING_CONFIG_ADDITIONAL_LOCATION points into it.
*/}}
{{- define "portflux.configDir" -}}
/etc/portflux
{{- end }}

{{/*
Fails the render when the shutdown timings do not add up: the kubelet's grace period starts
with preStop, then SIGTERM starts Spring's shutdown phase, then the JVM needs a few seconds to
exit. SIGKILL must not come first.
*/}}
{{- define "portflux.validateShutdown" -}}
{{- $s := .Values.shutdown }}
{{- $needed := add $s.preStopSleepSeconds $s.phaseTimeoutSeconds 5 }}
{{- if lt (int $s.terminationGracePeriodSeconds) (int $needed) }}
{{- fail (printf "shutdown.terminationGracePeriodSeconds (%d) must be at least preStopSleepSeconds (%d) + phaseTimeoutSeconds (%d) + 5 = %d" (int $s.terminationGracePeriodSeconds) (int $s.preStopSleepSeconds) (int $s.phaseTimeoutSeconds) (int $needed)) }}
{{- end }}
{{- end }}

{{/*
Fails the render when the autoscaler bounds are inverted.
*/}}
{{- define "portflux.validateAutoscaling" -}}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" }}
{{- end }}
{{- end }}

{{/*
Which store the app uses: "external" (database.url), "bundled" (postgresql.enabled, the chart's own
PostgreSQL) or "embedded" (H2 in files under /data, one replica only).
*/}}
{{- define "portflux.store" -}}
{{- if .Values.database.url -}}
external
{{- else if .Values.postgresql.enabled -}}
bundled
{{- else -}}
embedded
{{- end -}}
{{- end }}

{{/*
Where the embedded store keeps its files (PORTFLUX_STORE_PATH), a volume: the root filesystem is
read-only.
*/}}
{{- define "portflux.storePath" -}}
/data
{{- end }}

{{/*
Name of the PersistentVolumeClaim behind /data, or "" when /data is an emptyDir (or unused).
*/}}
{{- define "portflux.storeClaim" -}}
{{- if and (eq (include "portflux.store" .) "embedded") .Values.store.persistence.enabled -}}
{{- default (printf "%s-data" (include "portflux.fullname" .)) .Values.store.persistence.existingClaim -}}
{{- end -}}
{{- end }}

{{/*
Fails the render on a store setting that cannot work: two databases at once, an external one with
no Secret for its password, a claim for /data that nothing would use, or the embedded store (H2 in
one pod's files) under more than one replica, where each pod would keep scans the others cannot see.
*/}}
{{- define "portflux.validateStore" -}}
{{- $store := include "portflux.store" . -}}
{{- $usePostgres := "Use PostgreSQL: set database.url (an external one, with its credentials in database.existingSecret) or postgresql.enabled=true (one run by this chart, for trials)" -}}
{{- if and .Values.database.url .Values.postgresql.enabled -}}
{{- fail "set database.url or postgresql.enabled, not both: database.url points PortFlux at an external PostgreSQL, postgresql.enabled runs one in the release" -}}
{{- end -}}
{{- if and .Values.database.url (not .Values.database.existingSecret) -}}
{{- fail "database.url needs database.existingSecret: the name of a Secret holding the database password (key database.passwordKey) and, unless database.username is set, the username (key database.usernameKey)" -}}
{{- end -}}
{{- if and .Values.store.persistence.enabled (ne $store "embedded") -}}
{{- fail "store.persistence is for the embedded store only: with database.url or postgresql.enabled there is no /data to keep. Set store.persistence.enabled=false" -}}
{{- end -}}
{{- if eq $store "embedded" -}}
{{- if .Values.autoscaling.enabled -}}
{{- if gt (int .Values.autoscaling.maxReplicas) 1 -}}
{{- fail (printf "autoscaling.maxReplicas is %d, but the embedded store (H2 in files under /data) serves one replica only. %s" (int .Values.autoscaling.maxReplicas) $usePostgres) -}}
{{- end -}}
{{- else if gt (int .Values.replicaCount) 1 -}}
{{- fail (printf "replicaCount is %d, but the embedded store (H2 in files under /data) serves one replica only. %s" (int .Values.replicaCount) $usePostgres) -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/*
SPRING_R2DBC_URL: the external URL, or the chart's PostgreSQL Service.
*/}}
{{- define "portflux.databaseUrl" -}}
{{- if .Values.database.url -}}
{{- .Values.database.url -}}
{{- else if .Values.postgresql.enabled -}}
{{- printf "r2dbc:postgresql://%s:5432/%s" (include "portflux.postgresql.fullname" .) .Values.postgresql.auth.database -}}
{{- end -}}
{{- end }}

{{/*
TCP port of the external database: the one in database.url, else PostgreSQL's 5432.
*/}}
{{- define "portflux.databasePort" -}}
{{- $authority := regexFind "//[^/?#]+" .Values.database.url -}}
{{- $port := regexFind ":[0-9]+$" $authority | trimPrefix ":" -}}
{{- default "5432" $port -}}
{{- end }}

{{/*
Name of the chart's PostgreSQL objects. Short enough for the StatefulSet's pod and revision labels
(a StatefulSet name should stay within 52 characters).
*/}}
{{- define "portflux.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "portflux.fullname" . | trunc 41 | trimSuffix "-") -}}
{{- end }}

{{/*
Selector labels of the chart's PostgreSQL. Its name is not the app's, so neither the app's Service
nor its Deployment ever selects the database pod.
*/}}
{{- define "portflux.postgresql.selectorLabels" -}}
app.kubernetes.io/name: {{ include "portflux.name" . | trunc 52 | trimSuffix "-" }}-postgresql
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels on every object of the chart's PostgreSQL.
*/}}
{{- define "portflux.postgresql.labels" -}}
helm.sh/chart: {{ include "portflux.chart" . }}
{{ include "portflux.postgresql.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.postgresql.image.tag | trunc 63 | quote }}
app.kubernetes.io/component: database
app.kubernetes.io/part-of: portflux
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
PostgreSQL image reference: registry, repository, then digest when given, else tag.
*/}}
{{- define "portflux.postgresql.image" -}}
{{- $image := .Values.postgresql.image -}}
{{- $repository := $image.repository -}}
{{- with $image.registry -}}
{{- $repository = printf "%s/%s" . $repository -}}
{{- end -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $repository $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository $image.tag -}}
{{- end -}}
{{- end }}

{{/*
Where the chart's PostgreSQL keeps its data: a directory inside the volume, because initdb wants
an empty directory and a fresh volume's root may hold lost+found.
*/}}
{{- define "portflux.postgresql.pgdata" -}}
/var/lib/postgresql/data/pgdata
{{- end }}

{{/*
The app's built-in deny-list (TargetPolicy.BUILT_IN_DENY; a test keeps the two equal). The app
enforces it whatever the values say; the NetworkPolicy leaves it out of the allowed egress too.
*/}}
{{- define "portflux.builtInDeny" -}}
0.0.0.0/8 169.254.0.0/16 224.0.0.0/4 255.255.255.255/32 ::/128 fd00:ec2::254/128 fe80::/10 ff00::/8
{{- end }}

{{/*
The bits of an IP address as a string of 0s and 1s: 32 for dotted IPv4, 128 for IPv6 text
(without a dotted IPv4 tail, which the schema does not accept in CIDRs).
*/}}
{{- define "portflux.addressBits" -}}
{{- if contains "." . -}}
{{- range splitList "." . }}{{ printf "%08b" (atoi .) }}{{ end -}}
{{- else -}}
{{- $nibbles := dict "0" "0000" "1" "0001" "2" "0010" "3" "0011" "4" "0100" "5" "0101" "6" "0110" "7" "0111" "8" "1000" "9" "1001" "a" "1010" "b" "1011" "c" "1100" "d" "1101" "e" "1110" "f" "1111" -}}
{{- $halves := splitList "::" (lower .) -}}
{{- $head := list -}}
{{- $tail := list -}}
{{- if first $halves }}{{ $head = splitList ":" (first $halves) }}{{ end -}}
{{- if and (eq (len $halves) 2) (last $halves) }}{{ $tail = splitList ":" (last $halves) }}{{ end -}}
{{- $groups := $head -}}
{{- range until (int (sub 8 (add (len $head) (len $tail)))) }}{{ $groups = append $groups "0" }}{{ end -}}
{{- range concat $groups $tail -}}
{{- range splitList "" (printf "%04s" .) }}{{ get $nibbles . }}{{ end -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/*
"true" when the CIDR (index . 0) lies inside the CIDR (index . 1): same IP version, a prefix at
least as long, and the same leading bits. CIDRs nest or are disjoint, so this decides everything.
*/}}
{{- define "portflux.cidrInside" -}}
{{- $inner := splitList "/" (index . 0) -}}
{{- $outer := splitList "/" (index . 1) -}}
{{- $innerBits := include "portflux.addressBits" (first $inner) -}}
{{- $outerBits := include "portflux.addressBits" (first $outer) -}}
{{- $length := atoi (last $outer) -}}
{{- if and (eq (len $innerBits) (len $outerBits)) (ge (atoi (last $inner)) $length) (eq (trunc $length $innerBits) (trunc $length $outerBits)) -}}
true
{{- end -}}
{{- end }}

{{/*
Name of the Secret that holds the API tokens, or "" when authentication is off.
*/}}
{{- define "portflux.tokensSecret" -}}
{{- if .Values.security.existingSecret -}}
{{- .Values.security.existingSecret -}}
{{- else if .Values.security.tokens -}}
{{- printf "%s-tokens" (include "portflux.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
Key of the tokens in that Secret.
*/}}
{{- define "portflux.tokensKey" -}}
{{- if .Values.security.existingSecret -}}
{{- .Values.security.existingSecretKey -}}
{{- else -}}
tokens
{{- end -}}
{{- end -}}

{{/*
Refuses two sources of tokens: which one wins would be a guess.
*/}}
{{- define "portflux.validateSecurity" -}}
{{- if and .Values.security.existingSecret .Values.security.tokens -}}
{{- fail "set security.tokens or security.existingSecret, not both" -}}
{{- end -}}
{{- end -}}

{{/*
Name of the Secret that holds the webhooks' signing key, or "" when there is none.
*/}}
{{- define "portflux.alertsSecret" -}}
{{- if .Values.alerts.existingSecret -}}
{{- .Values.alerts.existingSecret -}}
{{- else if .Values.alerts.secret -}}
{{- printf "%s-alerts" (include "portflux.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
Key of the signing key in that Secret.
*/}}
{{- define "portflux.alertsKey" -}}
{{- if .Values.alerts.existingSecret -}}
{{- .Values.alerts.existingSecretKey -}}
{{- else -}}
secret
{{- end -}}
{{- end -}}

{{/*
Refuses two sources of the signing key.
*/}}
{{- define "portflux.validateAlerts" -}}
{{- if and .Values.alerts.existingSecret .Values.alerts.secret -}}
{{- fail "set alerts.secret or alerts.existingSecret, not both" -}}
{{- end -}}
{{- end -}}

{{/*
One section of portflux.* properties as the app's kebab-case keys. Numbers are written as integers:
values arrive as floats, and a large one would otherwise print as 4.294967296e+09.
*/}}
{{- define "portflux.properties" -}}
{{- range $key, $value := . }}
{{ kebabcase $key }}: {{ if kindIs "float64" $value }}{{ $value | int64 }}{{ else }}{{ $value | toJson }}{{ end }}
{{- end }}
{{- end }}

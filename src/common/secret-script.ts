/**
 * Bash functions the in-cluster Jobs share: calls to the Kubernetes API as the pod's
 * ServiceAccount, create-only Secrets, and random passwords. Secrets are never
 * replaced: creating one that exists answers 409 and the existing one is kept, so
 * running a Job again changes nothing.
 *
 * Needs bash, curl, base64, sed, tr and cut (the Elasticsearch image has them all).
 * @see https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/secret-v1/
 * @see https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/
 */
export const SECRET_FUNCTIONS = String.raw`# --- Kubernetes API, as this pod's ServiceAccount ---
KUBE_API=https://kubernetes.default.svc
SA_DIR=/var/run/secrets/kubernetes.io/serviceaccount
# kube METHOD PATH [BODY_FILE]: prints the HTTP status; the body is in /tmp/kube-response.
kube() {
  printf 'Authorization: Bearer %s\n' "$(cat "$SA_DIR/token")" > /tmp/kube-auth
  local args=(--silent --show-error --max-time 30 --cacert "$SA_DIR/ca.crt" -H @/tmp/kube-auth
    --output /tmp/kube-response --write-out '%{http_code}' -X "$1")
  if [ $# -ge 3 ]; then args+=(-H 'Content-Type: application/json' --data-binary "@$3"); fi
  curl "${"$"}{args[@]}" "$KUBE_API$2"
}
# secret_get NAMESPACE NAME: 0 and the Secret in /tmp/secret.json when it exists, 1 when not.
secret_get() {
  local code
  code=$(kube GET "/api/v1/namespaces/$1/secrets/$2")
  case "$code" in
    200) mv /tmp/kube-response /tmp/secret.json ;;
    404) return 1 ;;
    *) echo "reading Secret $1/$2 answered $code" >&2; cat /tmp/kube-response >&2; exit 1 ;;
  esac
}
# secret_key KEY: the decoded value of KEY in the Secret secret_get read.
secret_key() {
  local key=${"$"}{1//./\\.}
  sed -n "s/.*\"$key\": *\"\([^\"]*\)\".*/\1/p" /tmp/secret.json | head -n 1 | base64 -d
}
# create_secret NAMESPACE NAME KEY=FILE...: 0 when created; 1 when it exists (kept as it is).
create_secret() {
  local namespace=$1 name=$2 data='' pair code
  shift 2
  for pair in "$@"; do
    # Callers test the result, which turns set -e off in here: check each file.
    if [ ! -s "${"$"}{pair#*=}" ]; then echo "creating Secret $namespace/$name: ${"$"}{pair#*=} is missing or empty" >&2; exit 1; fi
    data="$data${"$"}{data:+,}\"${"$"}{pair%%=*}\":\"$(base64 -w0 < "${"$"}{pair#*=}")\""
  done
  printf '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"%s","labels":%s},"type":"Opaque","data":{%s}}' \
    "$name" "$SECRET_LABELS" "$data" > /tmp/new-secret.json
  code=$(kube POST "/api/v1/namespaces/$namespace/secrets" /tmp/new-secret.json)
  rm -f /tmp/new-secret.json /tmp/kube-response
  case "$code" in
    201) echo "created Secret $namespace/$name" ;;
    409) echo "Secret $namespace/$name exists: kept as it is"; return 1 ;;
    *) echo "creating Secret $namespace/$name answered $code" >&2; exit 1 ;;
  esac
}
# random_password: 40 random letters and digits (about 238 bits).
random_password() {
  head -c 64 /dev/urandom | base64 -w0 | tr -d '+/=' | cut -c 1-40 | tr -d '\n'
}
`;

/** The `SECRET_LABELS` line: labels every Secret the Job creates carries, as JSON. */
export function secretLabelsLine(labels: { [key: string]: string }): string {
  return `SECRET_LABELS='${JSON.stringify(labels)}'`;
}

#!/bin/sh
# One cluster's scheduled run: a read-only snapshot with kubectl, analysed by kube-rightsize, the
# JSON report kept per date as $REPORTS/<date>/$CLUSTER.json. Run it in each cluster's own job
# (the CronJob in this folder, or a CI job with the cluster's kubeconfig).
#
# Environment:
#   CLUSTER         this cluster's name in every report (required)
#   REPORTS         where the reports go (default: reports)
#   DATE            the date folder (default: today, UTC, YYYY-MM-DD)
#   KRR_JSON        a `krr simple -f json` result to take recommendations from (optional)
#   PROMETHEUS_URL  or a Prometheus to compute them from (optional; KRR's `simple` strategy)
#   KUBECTL, KUBE_RIGHTSIZE  the programs (default: kubectl, kube-rightsize on PATH)
set -eu

: "${CLUSTER:?set CLUSTER to this cluster's name}"
REPORTS=${REPORTS:-reports}
DATE=${DATE:-$(date -u +%Y-%m-%d)}
KUBECTL=${KUBECTL:-kubectl}
KRS=${KUBE_RIGHTSIZE:-kube-rightsize}

mkdir -p "$REPORTS/$DATE"
out="$REPORTS/$DATE/$CLUSTER.json"
set -- analyze - --cluster-name "$CLUSTER" --format json -o "$out"
if [ -n "${KRR_JSON:-}" ]; then
    set -- "$@" --krr "$KRR_JSON"
fi
if [ -n "${PROMETHEUS_URL:-}" ]; then
    set -- "$@" --prometheus "$PROMETHEUS_URL"
fi

# The snapshot goes straight into the analysis: only the report is written.
"$KUBECTL" get nodes,pods,deploy,rs,sts,ds,job,cronjob,hpa -A -o json | "$KRS" "$@"
echo "wrote $out"

#!/bin/sh
# After every cluster's run, wherever the reports are gathered: the fleet report of the latest
# date, and each cluster's changes since the date before (with the savings realised).
#
#   $REPORTS/<latest>/fleet/fleet.html, fleet.json     every cluster of that date in one report
#   $REPORTS/<latest>/fleet/<cluster>-changes.html, .json   what changed since <previous>
#
# Environment: REPORTS (default: reports), KUBE_RIGHTSIZE (default: kube-rightsize on PATH).
set -eu

REPORTS=${REPORTS:-reports}
KRS=${KUBE_RIGHTSIZE:-kube-rightsize}

dates=$(ls -1 "$REPORTS" | grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' | sort)
latest=$(printf '%s\n' "$dates" | tail -n 1)
previous=$(printf '%s\n' "$dates" | tail -n 2 | head -n 1)
if [ -z "$latest" ]; then
    echo "no dated reports in $REPORTS" >&2
    exit 1
fi

out="$REPORTS/$latest/fleet"
mkdir -p "$out"
"$KRS" merge "$REPORTS/$latest"/*.json --format html -o "$out/fleet.html"
"$KRS" merge "$REPORTS/$latest"/*.json --format json -o "$out/fleet.json"
echo "wrote $out/fleet.html"

if [ "$previous" != "$latest" ]; then
    for report in "$REPORTS/$latest"/*.json; do
        cluster=$(basename "$report" .json)
        before="$REPORTS/$previous/$cluster.json"
        if [ -f "$before" ]; then
            "$KRS" diff "$before" "$report" --format html -o "$out/$cluster-changes.html"
            "$KRS" diff "$before" "$report" --format json -o "$out/$cluster-changes.json"
            echo "wrote $out/$cluster-changes.html ($previous → $latest)"
        fi
    done
fi

//! A KRR (`krr simple -f json`) result matching a generated cluster.
//!
//! One scan per (workload, container in `spec.containers`) for Deployments, StatefulSets,
//! DaemonSets, Jobs and CronJobs, skipping `kube-system` and bare pods as KRR does by default.
//! "Usage" is derived deterministically from the requests; recommendations, severities and the
//! score follow KRR v1.29's `simple` strategy rules (see `shared/reference/krr.md`).

use kube_rightsize_core::recommend::severity::{self, Severity};

use super::json::{J, O, str_map};
use super::model::{Cluster, Ctr, Kind, Phase, effective_request};
use super::rng::Rng;

const MIB: f64 = 1024.0 * 1024.0;

/// A recommended (or current) value: a number, `"?"`, or unset.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Val {
    Num(f64),
    Unknown,
    Unset,
}

impl Val {
    fn json(self) -> J {
        match self {
            Val::Num(f) => J::Float(f),
            Val::Unknown => J::from("?"),
            Val::Unset => J::Null,
        }
    }
}

/// KRR's per-cell severity, in KRR's floats: CPU differences in cores (0.5 / 0.25 / 0.1), memory
/// in MiB (500 / 250 / 100). (The core compares exact integers instead: a difference on a
/// threshold, e.g. 0.3 − 0.05 cores, may land a hair below it here, as in KRR.)
fn severity(current: Option<f64>, recommended: Val, memory: bool) -> Severity {
    let rec = match recommended {
        Val::Unknown => return Severity::Unknown,
        Val::Num(f) => Some(f),
        Val::Unset => None,
    };
    match (current, rec) {
        (None, None) => Severity::Good,
        (None, _) | (_, None) => Severity::Warning,
        (Some(c), Some(r)) if memory => {
            severity::of_difference((c - r).abs() / 1024.0 / 1024.0, [500.0, 250.0, 100.0])
        }
        (Some(c), Some(r)) => severity::of_difference((c - r).abs(), [0.5, 0.25, 0.1]),
    }
}

fn cores(q: &Option<super::catalog::Qty>) -> Option<f64> {
    q.as_ref().map(|q| q.value as f64 / 1000.0)
}

fn bytes(q: &Option<super::catalog::Qty>) -> Option<f64> {
    q.as_ref().map(|q| q.value as f64)
}

struct Scan {
    ns: String,
    name: String,
    json: J,
    severity: Severity,
}

fn recommend(c: &Ctr, over: bool, under: bool, rng: &mut Rng) -> (Val, Val) {
    let base_cpu = cores(&c.res.req_cpu)
        .or(cores(&c.res.lim_cpu))
        .unwrap_or(0.1);
    let base_mem = bytes(&c.res.req_mem)
        .or(bytes(&c.res.lim_mem))
        .unwrap_or(128.0 * MIB);
    let (cpu_ratio, mem_ratio) = if over {
        (rng.uniform(0.02, 0.12), rng.uniform(0.08, 0.3))
    } else if under {
        (rng.uniform(1.3, 2.5), rng.uniform(1.2, 1.8))
    } else {
        (rng.uniform(0.15, 0.75), rng.uniform(0.3, 0.8))
    };
    // p95 CPU, rounded up to a millicore, at least 10m.
    let cpu = ((base_cpu * cpu_ratio * 1000.0).ceil() / 1000.0).max(0.01);
    // Peak memory × 1.15, rounded up to a MiB, at least 100 MiB.
    let mem = ((base_mem * mem_ratio * 1.15 / MIB).ceil() * MIB).max(100.0 * MIB);
    (Val::Num(cpu), Val::Num(mem))
}

/// Builds the KRR result for `c`.
pub fn report(c: &Cluster) -> J {
    let mut pods_of: Vec<Vec<usize>> = vec![Vec::new(); c.workloads.len()];
    for (i, p) in c.pods.iter().enumerate() {
        pods_of[p.w].push(i);
    }
    let mut scans: Vec<Scan> = Vec::new();
    for (wi, w) in c.workloads.iter().enumerate() {
        if w.ns == "kube-system" || w.kind == Kind::Bare {
            continue;
        }
        let mut rng = Rng::stream(c.seed, "krr", wi as u64);
        let mut pods: Vec<J> = pods_of[wi]
            .iter()
            .map(|&i| {
                J::from(
                    O::new()
                        .set("name", c.pods[i].name.clone())
                        .set("deleted", false),
                )
            })
            .collect();
        if w.kind == Kind::Deployment && rng.chance(0.3) {
            let old_hash = rng.k8s_suffix(10);
            for _ in 0..rng.range(1, 2) {
                pods.push(J::from(
                    O::new()
                        .set(
                            "name",
                            format!("{}-{}-{}", w.name, old_hash, rng.k8s_suffix(5)),
                        )
                        .set("deleted", true),
                ));
            }
        }
        let hpa = w.hpa.then(|| {
            J::from(
                O::new()
                    .set("min_replicas", 2i64)
                    .set("max_replicas", i64::from(w.replicas) * 3)
                    .set("current_replicas", i64::from(w.replicas))
                    .set("desired_replicas", i64::from(w.replicas))
                    .set("target_cpu_utilization_percentage", 70.0)
                    .set("target_memory_utilization_percentage", J::Null),
            )
        });
        let no_data = w.huge;
        let not_enough = !no_data
            && rng.chance(if matches!(w.kind, Kind::CronJob | Kind::Job) {
                0.35
            } else {
                0.06
            });
        for ctr in &w.containers {
            let r = &ctr.res;
            let (mut cpu, mut mem) = recommend(ctr, w.over, w.under, &mut rng);
            let mut info = (J::Null, J::Null);
            if no_data || not_enough {
                cpu = Val::Unknown;
                mem = Val::Unknown;
                let why = if no_data {
                    "No data"
                } else {
                    "Not enough data"
                };
                info = (J::from(why), J::from(why));
            } else if w.hpa {
                cpu = Val::Unknown;
                info.0 = J::from("HPA detected");
            }
            let cur = (
                cores(&r.req_cpu),
                bytes(&r.req_mem),
                cores(&r.lim_cpu),
                bytes(&r.lim_mem),
            );
            let cells = [
                severity(cur.0, cpu, false),
                severity(cur.1, mem, true),
                severity(cur.2, Val::Unset, false),
                severity(cur.3, mem, true),
            ];
            let row = severity::row(cells);
            let cell =
                |v: Val, s: Severity| O::new().set("value", v.json()).set("severity", s.as_str());
            let allocation = |v: Option<f64>| v.map_or(J::Null, J::Float);
            let object = O::new()
                .set("cluster", c.name.clone())
                .set("name", w.name.clone())
                .set("container", ctr.name.clone())
                .set("pods", pods.clone())
                .set("hpa", hpa.clone().unwrap_or(J::Null))
                .set("namespace", w.ns.clone())
                .set("kind", w.kind.krr_name())
                .set(
                    "allocations",
                    O::new()
                        .set(
                            "requests",
                            O::new()
                                .set("cpu", allocation(cur.0))
                                .set("memory", allocation(cur.1)),
                        )
                        .set(
                            "limits",
                            O::new()
                                .set("cpu", allocation(cur.2))
                                .set("memory", allocation(cur.3)),
                        )
                        .set("info", O::new()),
                )
                .set("warnings", Vec::<J>::new())
                .set("labels", str_map(w.labels.iter().cloned()))
                .set("annotations", O::new());
            let recommended = O::new()
                .set(
                    "requests",
                    O::new()
                        .set("cpu", cell(cpu, cells[0]))
                        .set("memory", cell(mem, cells[1])),
                )
                .set(
                    "limits",
                    O::new()
                        .set("cpu", cell(Val::Unset, cells[2]))
                        .set("memory", cell(mem, cells[3])),
                )
                .set("info", O::new().set("cpu", info.0).set("memory", info.1));
            scans.push(Scan {
                ns: w.ns.clone(),
                name: w.name.clone(),
                json: O::new()
                    .set("object", object)
                    .set("recommended", recommended)
                    .set("severity", row.as_str())
                    .into(),
                severity: row,
            });
        }
    }
    scans.sort_by(|a, b| (a.ns.as_str(), a.name.as_str()).cmp(&(b.ns.as_str(), b.name.as_str())));
    let score = severity::score(scans.iter().map(|s| s.severity));

    let cluster_cpu: u64 = c.nodes.iter().map(|n| u64::from(n.itype.vcpu)).sum();
    let cluster_mem: u64 = c
        .nodes
        .iter()
        .map(|n| n.itype.mem_capacity_ki() * 1024)
        .sum();
    let (mut ks_cpu, mut ks_mem) = (0u64, 0u64);
    for p in &c.pods {
        let w = &c.workloads[p.w];
        if w.ns == "kube-system" && p.phase == Phase::Running {
            let (cpu, mem) = effective_request(w);
            ks_cpu += cpu;
            ks_mem += mem;
        }
    }

    let settings = O::new()
        .set("history_duration", 336.0)
        .set("timeframe_duration", 1.25)
        .set("cpu_percentile", 95.0)
        .set("memory_buffer_percentage", 15.0)
        .set("points_required", 100i64)
        .set("allow_hpa", false)
        .set("use_oomkill_data", false)
        .set("oom_memory_buffer_percentage", 25.0);
    let config = O::new()
        .set("quiet", false)
        .set("verbose", false)
        .set("clusters", vec![J::from(c.name.clone())])
        .set("kubeconfig", J::Null)
        .set("impersonate_user", J::Null)
        .set("impersonate_group", J::Null)
        .set("namespaces", "*")
        .set("resources", "*")
        .set("selector", J::Null)
        .set("cpu_min_value", 10i64)
        .set("memory_min_value", 100i64)
        .set(
            "prometheus_url",
            "http://kube-prometheus-stack-prometheus.monitoring.svc:9090",
        )
        .set("prometheus_auth_header", J::Null)
        .set("prometheus_other_headers", O::new())
        .set("prometheus_ssl_enabled", false)
        .set("prometheus_cluster_label", J::Null)
        .set("prometheus_label", J::Null)
        .set("eks_managed_prom", false)
        .set("eks_managed_prom_profile_name", J::Null)
        .set("eks_access_key", J::Null)
        .set("eks_secret_key", J::Null)
        .set("eks_service_name", "aps")
        .set("eks_managed_prom_region", J::Null)
        .set("coralogix_token", J::Null)
        .set("openshift", false)
        .set("max_workers", 10i64)
        .set("format", "json")
        .set("show_cluster_name", false)
        .set("strategy", "simple")
        .set("log_to_stderr", false)
        .set("width", J::Null)
        .set("show_severity", true)
        .set("file_output", J::Null)
        .set("file_output_dynamic", false)
        .set("slack_output", J::Null)
        .set("other_args", O::new())
        .set("inside_cluster", false);
    O::new()
        .set("scans", J::Arr(scans.into_iter().map(|s| s.json).collect()))
        .set("score", score)
        .set("resources", vec![J::from("cpu"), J::from("memory")])
        .set(
            "description",
            "[b]CPU request:[/b] 95.0% percentile, [b]CPU limit:[/b] unset\n\
             [b]Memory request:[/b] max + 15.0%, [b]Memory limit:[/b] max + 15.0%\n\
             History: 336.0 hours\n\
             Step: 1.25 minutes\n\n\
             All parameters can be customized. For example: `krr simple --cpu_percentile=90 \
             --memory_buffer_percentage=15 --history_duration=24 --timeframe_duration=0.5`\n\n\
             This strategy does not work with objects with HPA defined (Horizontal Pod Autoscaler).\n\
             If HPA is defined for CPU or Memory, the strategy will return \"?\" for that resource.\n\
             You can override this behaviour by passing the --allow-hpa flag\n\n\
             Learn more: [underline]https://github.com/robusta-dev/krr#algorithm[/underline]",
        )
        .set(
            "strategy",
            O::new().set("name", "simple").set("settings", settings),
        )
        .set("errors", Vec::<J>::new())
        .set(
            "clusterSummary",
            O::new()
                .set("cluster_memory", cluster_mem as f64)
                .set("cluster_cpu", cluster_cpu as f64)
                .set("kube_system_mem_req", ks_mem as f64)
                .set("kube_system_cpu_req", ks_cpu as f64 / 1000.0),
        )
        .set("config", config)
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_rules() {
        assert_eq!(
            severity(Some(0.5), Val::Num(0.013), false),
            Severity::Warning
        );
        assert_eq!(
            severity(Some(1.0), Val::Num(0.252), false),
            Severity::Critical
        );
        assert_eq!(severity(Some(0.2), Val::Num(0.05), false), Severity::Ok);
        assert_eq!(severity(None, Val::Unset, false), Severity::Good);
        assert_eq!(severity(Some(2.0), Val::Unset, false), Severity::Warning);
        assert_eq!(severity(Some(1.0), Val::Unknown, true), Severity::Unknown);
        let mib = 1024.0 * 1024.0;
        assert_eq!(
            severity(Some(512.0 * mib), Val::Num(100.0 * mib), true),
            Severity::Warning
        );
        assert_eq!(
            severity(Some(2048.0 * mib), Val::Num(100.0 * mib), true),
            Severity::Critical
        );
    }
}

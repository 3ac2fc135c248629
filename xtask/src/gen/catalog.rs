//! Static facts: AWS instance types, EKS reservations, quantity spellings, names.

use super::rng::Rng;

/// The fixed "now" of every generated cluster: 2025-06-01T12:00:00Z (no clock is read).
pub const NOW: i64 = 1_748_779_200;

/// The region every generated cluster lives in.
pub const REGION: &str = "us-east-1";

/// The availability zones used, and their zone ids.
pub const ZONES: [(&str, &str); 3] = [
    ("us-east-1a", "use1-az1"),
    ("us-east-1b", "use1-az2"),
    ("us-east-1c", "use1-az4"),
];

/// The AWS account hosting the cluster's private ECR images.
pub const ACCOUNT: &str = "123456789012";

/// The EKS Kubernetes version of the nodes.
pub const KUBELET_VERSION: &str = "v1.31.2-eks-94953ac";

/// An EC2 instance type, with the facts nodes and Karpenter labels need.
#[derive(Debug)]
pub struct InstanceType {
    /// `m5.large`.
    pub name: &'static str,
    /// `m5`.
    pub family: &'static str,
    /// `large`.
    pub size: &'static str,
    /// vCPUs.
    pub vcpu: u32,
    /// Memory in GiB.
    pub mem_gib: u32,
    /// `arm64` for Graviton, else `amd64`.
    pub arm: bool,
    /// EKS max pods with the VPC CNI without prefix delegation (the ENI limit).
    pub eni_max_pods: u32,
    /// Network bandwidth in Mbps (Karpenter's `instance-network-bandwidth`).
    pub net_mbps: u32,
    /// EBS bandwidth in Mbps.
    pub ebs_mbps: u32,
}

macro_rules! it {
    ($name:literal, $fam:literal, $size:literal, $cpu:literal, $mem:literal, $arm:literal, $pods:literal, $net:literal, $ebs:literal) => {
        InstanceType {
            name: $name,
            family: $fam,
            size: $size,
            vcpu: $cpu,
            mem_gib: $mem,
            arm: $arm,
            eni_max_pods: $pods,
            net_mbps: $net,
            ebs_mbps: $ebs,
        }
    };
}

/// Instance types by family, ordered by size (large, xlarge, 2xlarge, 4xlarge, 8xlarge-ish).
pub const TYPES: &[InstanceType] = &[
    it!("m5.large", "m5", "large", 2, 8, false, 29, 750, 4750),
    it!("m5.xlarge", "m5", "xlarge", 4, 16, false, 58, 1250, 4750),
    it!("m5.2xlarge", "m5", "2xlarge", 8, 32, false, 58, 2500, 4750),
    it!(
        "m5.4xlarge",
        "m5",
        "4xlarge",
        16,
        64,
        false,
        234,
        5000,
        4750
    ),
    it!(
        "m5.8xlarge",
        "m5",
        "8xlarge",
        32,
        128,
        false,
        234,
        10000,
        6800
    ),
    it!("c5.large", "c5", "large", 2, 4, false, 29, 750, 4750),
    it!("c5.xlarge", "c5", "xlarge", 4, 8, false, 58, 1250, 4750),
    it!("c5.2xlarge", "c5", "2xlarge", 8, 16, false, 58, 2500, 4750),
    it!(
        "c5.4xlarge",
        "c5",
        "4xlarge",
        16,
        32,
        false,
        234,
        5000,
        4750
    ),
    it!(
        "c5.9xlarge",
        "c5",
        "9xlarge",
        36,
        72,
        false,
        234,
        12000,
        9500
    ),
    it!("r5.large", "r5", "large", 2, 16, false, 29, 750, 4750),
    it!("r5.xlarge", "r5", "xlarge", 4, 32, false, 58, 1250, 4750),
    it!("r5.2xlarge", "r5", "2xlarge", 8, 64, false, 58, 2500, 4750),
    it!(
        "r5.4xlarge",
        "r5",
        "4xlarge",
        16,
        128,
        false,
        234,
        5000,
        4750
    ),
    it!(
        "r5.8xlarge",
        "r5",
        "8xlarge",
        32,
        256,
        false,
        234,
        10000,
        6800
    ),
    it!("m6g.large", "m6g", "large", 2, 8, true, 29, 750, 4750),
    it!("m6g.xlarge", "m6g", "xlarge", 4, 16, true, 58, 1250, 4750),
    it!("m6g.2xlarge", "m6g", "2xlarge", 8, 32, true, 58, 2500, 4750),
    it!(
        "m6g.4xlarge",
        "m6g",
        "4xlarge",
        16,
        64,
        true,
        234,
        5000,
        4750
    ),
    it!(
        "m6g.8xlarge",
        "m6g",
        "8xlarge",
        32,
        128,
        true,
        234,
        12000,
        9500
    ),
    // GPU instances (only the demo's GPU pool uses them; `instance` never picks them).
    it!("g5.xlarge", "g5", "xlarge", 4, 16, false, 58, 2500, 3500),
];

/// The NVIDIA GPUs of an instance type, as GPU feature discovery labels them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gpu {
    /// Physical GPUs.
    pub count: u32,
    /// `nvidia.com/gpu.product`.
    pub product: &'static str,
    /// `nvidia.com/gpu.memory`: MiB as `nvidia-smi` reports it.
    pub memory_mib: u32,
    /// `nvidia.com/gpu.family`.
    pub family: &'static str,
    /// `nvidia.com/gpu.compute.major` / `.minor`.
    pub compute: (u32, u32),
}

/// The GPUs of `t`, if it has any.
pub fn gpu_of(t: &InstanceType) -> Option<Gpu> {
    match t.name {
        // One NVIDIA A10G (24 GB GDDR6, Ampere GA102, compute capability 8.6).
        "g5.xlarge" => Some(Gpu {
            count: 1,
            product: "NVIDIA-A10G",
            memory_mib: 23028,
            family: "ampere",
            compute: (8, 6),
        }),
        _ => None,
    }
}

/// The instance type of `family` at size step `idx` (0 = large … 4 = 8xlarge), clamped.
pub fn instance(family: &str, idx: usize) -> &'static InstanceType {
    let fam: Vec<&'static InstanceType> = TYPES.iter().filter(|t| t.family == family).collect();
    fam[idx.min(fam.len() - 1)]
}

/// Looks up a type by name.
pub fn instance_named(name: &str) -> &'static InstanceType {
    TYPES
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("unknown instance type {name}"))
}

impl InstanceType {
    /// `node.status.capacity.memory` in KiB: MemTotal as the kernel reports it.
    pub fn mem_capacity_ki(&self) -> u64 {
        let nominal = u64::from(self.mem_gib) * 1024 * 1024;
        // About 5.24% goes to the kernel and firmware; a per-type constant keeps it irregular.
        nominal - nominal * 524 / 10_000 + u64::from(self.vcpu) * 37 % 211
    }

    /// EKS AMI kube-reserved CPU in millicores (6% of core 1, 1% of core 2, 0.5% of cores 3–4,
    /// 0.25% of the rest).
    pub fn cpu_reserved_milli(&self) -> u64 {
        let cores = u64::from(self.vcpu);
        let mut r = 60;
        if cores >= 2 {
            r += 10;
        }
        r += 5 * cores.saturating_sub(2).min(2);
        r += cores.saturating_sub(4) * 5 / 2;
        r
    }

    /// `node.status.allocatable.memory` in KiB for the given max pods
    /// (kube-reserved `11 × maxPods + 255` MiB, eviction threshold 100 MiB).
    pub fn mem_allocatable_ki(&self, max_pods: u32) -> u64 {
        self.mem_capacity_ki() - (11 * u64::from(max_pods) + 255) * 1024 - 100 * 1024
    }
}

/// A resource quantity as written in a manifest, with its value (millicores or bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qty {
    /// The spelling, e.g. `"1.5Gi"`.
    pub text: String,
    /// Millicores for CPU, bytes for memory.
    pub value: u64,
}

impl Qty {
    /// A quantity from a spelling and its value.
    pub fn new(text: &str, value: u64) -> Self {
        Qty {
            text: text.to_owned(),
            value,
        }
    }
}

/// CPU ladder: millicores and the spellings seen in real manifests (first is the usual one).
const CPU_LADDER: &[(u64, &[&str])] = &[
    (5, &["5m"]),
    (10, &["10m"]),
    (20, &["20m"]),
    (25, &["25m"]),
    (50, &["50m", "0.05"]),
    (75, &["75m"]),
    (100, &["100m", "0.1"]),
    (150, &["150m"]),
    (200, &["200m", "0.2"]),
    (250, &["250m", "0.25"]),
    (300, &["300m"]),
    (400, &["400m"]),
    (500, &["500m", "0.5"]),
    (600, &["600m"]),
    (750, &["750m"]),
    (1000, &["1", "1000m"]),
    (1200, &["1200m", "1.2"]),
    (1500, &["1500m", "1.5"]),
    (2000, &["2", "2000m"]),
    (2500, &["2500m", "2.5"]),
    (3000, &["3"]),
    (4000, &["4"]),
    (6000, &["6"]),
    (8000, &["8"]),
    (12000, &["12"]),
    (16000, &["16"]),
    (24000, &["24"]),
    (32000, &["32"]),
    (48000, &["48"]),
];

const MI: u64 = 1024 * 1024;
const GI: u64 = 1024 * MI;

/// Memory ladder: bytes and spellings (binary, decimal and plain-byte forms all occur).
const MEM_LADDER: &[(u64, &[&str])] = &[
    (16 * MI, &["16Mi"]),
    (32 * MI, &["32Mi"]),
    (50 * MI, &["50Mi"]),
    (64 * MI, &["64Mi", "67108864"]),
    (100 * MI, &["100Mi"]),
    (128_000_000, &["128M"]),
    (128 * MI, &["128Mi", "134217728"]),
    (192 * MI, &["192Mi"]),
    (200 * MI, &["200Mi"]),
    (256 * MI, &["256Mi", "268435456", "0.25Gi"]),
    (300 * MI, &["300Mi"]),
    (384 * MI, &["384Mi"]),
    (500_000_000, &["500M"]),
    (512 * MI, &["512Mi", "0.5Gi", "536870912"]),
    (640 * MI, &["640Mi"]),
    (768 * MI, &["768Mi", "0.75Gi"]),
    (1_000_000_000, &["1G"]),
    (GI, &["1Gi", "1024Mi", "1073741824"]),
    (1536 * MI, &["1.5Gi", "1536Mi"]),
    (2 * GI, &["2Gi", "2048Mi"]),
    (2560 * MI, &["2.5Gi", "2560Mi"]),
    (3 * GI, &["3Gi"]),
    (4 * GI, &["4Gi", "4096Mi"]),
    (6 * GI, &["6Gi"]),
    (8 * GI, &["8Gi", "8192Mi"]),
    (10 * GI, &["10Gi"]),
    (12 * GI, &["12Gi"]),
    (16 * GI, &["16Gi"]),
    (24 * GI, &["24Gi"]),
    (32 * GI, &["32Gi"]),
    (48 * GI, &["48Gi"]),
    (64 * GI, &["64Gi"]),
    (96 * GI, &["96Gi"]),
    (128 * GI, &["128Gi"]),
    (192 * GI, &["192Gi"]),
];

fn snap(ladder: &[(u64, &[&str])], raw: f64, rng: &mut Rng, at_least: u64) -> Qty {
    let raw = raw.max(1.0);
    let mut best = None;
    let mut best_d = f64::INFINITY;
    for (i, (v, _)) in ladder.iter().enumerate() {
        if *v < at_least {
            continue;
        }
        let d = ((*v as f64) / raw).ln().abs();
        if d < best_d {
            best_d = d;
            best = Some(i);
        }
    }
    let (value, spellings) = ladder[best.unwrap_or(ladder.len() - 1)];
    let text = if spellings.len() > 1 && rng.chance(0.2) {
        spellings[1 + rng.index(spellings.len() - 1)]
    } else {
        spellings[0]
    };
    Qty::new(text, value)
}

/// The ladder CPU quantity nearest to `milli` (log scale), in a realistic spelling.
pub fn cpu_qty(milli: f64, rng: &mut Rng) -> Qty {
    snap(CPU_LADDER, milli, rng, 0)
}

/// The smallest ladder CPU quantity of at least `milli`.
pub fn cpu_qty_at_least(milli: u64, rng: &mut Rng) -> Qty {
    let v = CPU_LADDER
        .iter()
        .map(|(v, _)| *v)
        .find(|v| *v >= milli)
        .unwrap_or(milli);
    snap(CPU_LADDER, v as f64, rng, milli)
}

/// The ladder memory quantity nearest to `bytes` (log scale), in a realistic spelling.
pub fn mem_qty(bytes: f64, rng: &mut Rng) -> Qty {
    snap(MEM_LADDER, bytes, rng, 0)
}

/// The smallest ladder memory quantity of at least `bytes`.
pub fn mem_qty_at_least(bytes: u64, rng: &mut Rng) -> Qty {
    let v = MEM_LADDER
        .iter()
        .map(|(v, _)| *v)
        .find(|v| *v >= bytes)
        .unwrap_or(bytes);
    snap(MEM_LADDER, v as f64, rng, bytes)
}

/// `n` MiB in bytes.
pub const fn mib(n: u64) -> u64 {
    n * MI
}

/// Parses the CPU spellings used by the fixed (platform) specs: `100m`, `1`, `0.5`.
pub fn cpu(text: &str) -> Qty {
    let value = match text.strip_suffix('m') {
        Some(m) => m.parse().expect("millicores"),
        None => (text.parse::<f64>().expect("cores") * 1000.0).round() as u64,
    };
    Qty::new(text, value)
}

/// Parses the memory spellings used by the fixed specs: `70Mi`, `1Gi`, `1.5Gi`, `500M`, bytes.
pub fn mem(text: &str) -> Qty {
    let (num, mult) = [
        ("Ki", 1024.0),
        ("Mi", MI as f64),
        ("Gi", GI as f64),
        ("M", 1e6),
        ("G", 1e9),
    ]
    .iter()
    .find_map(|(suf, m)| text.strip_suffix(suf).map(|n| (n, *m)))
    .unwrap_or((text, 1.0));
    let value = (num.parse::<f64>().expect("memory quantity") * mult).round() as u64;
    Qty::new(text, value)
}

/// Namespaces with a curated workload vocabulary, in the order they are used.
pub const CURATED_NAMESPACES: &[&str] = &[
    "payments", "checkout", "search", "data", "ml", "batch", "web",
];

/// Further team namespaces for bigger clusters.
pub const MORE_NAMESPACES: &[&str] = &[
    "catalog",
    "inventory",
    "identity",
    "notifications",
    "analytics",
    "shipping",
    "pricing",
    "recommendations",
    "reporting",
    "billing",
    "fulfillment",
    "media",
    "messaging",
    "growth",
    "partners",
    "support",
    "experiments",
    "marketing",
    "fraud",
    "loyalty",
    "reviews",
    "subscriptions",
    "accounts",
    "geo",
    "tax",
    "returns",
    "orders",
    "warehouse",
    "ads",
    "content",
];

/// What a workload runs, which decides image, ports, probes, env and typical size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// A Go HTTP/gRPC service.
    GoApi,
    /// A JVM service.
    Jvm,
    /// A Node.js web app.
    Node,
    /// A Python queue worker.
    PyWorker,
    /// A Python model server.
    PyModel,
    /// nginx serving static files.
    Nginx,
    /// PostgreSQL.
    Postgres,
    /// Redis.
    Redis,
    /// Kafka broker.
    Kafka,
    /// OpenSearch node.
    OpenSearch,
    /// A batch job container (reports, exports, ETL).
    Batch,
    /// A huge training job that cannot be scheduled.
    Trainer,
    /// An ad-hoc debugging pod.
    Debug,
}

/// The kind of a vocabulary entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VKind {
    /// Deployment.
    D,
    /// StatefulSet.
    S,
    /// CronJob.
    C,
    /// Job (not from a CronJob).
    J,
    /// Bare pod.
    B,
}

/// A curated workload: name, kind, profile, deliberately over-provisioned.
pub type Vocab = (&'static str, VKind, Profile, bool);

/// Curated workloads of a namespace in [`CURATED_NAMESPACES`].
pub fn curated(ns: &str) -> &'static [Vocab] {
    use Profile::*;
    use VKind::*;
    match ns {
        "payments" => &[
            ("payments-api", D, GoApi, false),
            ("ledger", D, Jvm, false),
            ("fraud-scorer", D, PyModel, false),
            ("refunds-worker", D, PyWorker, false),
            ("payment-gateway", D, GoApi, true),
            ("ledger-db", S, Postgres, false),
            ("payouts-reconcile", C, Batch, false),
            ("stripe-webhooks", D, Node, false),
        ],
        "checkout" => &[
            ("checkout-api", D, GoApi, false),
            ("cart", D, GoApi, false),
            ("promotions", D, Jvm, true),
            ("checkout-web", D, Node, false),
            ("cart-redis", S, Redis, false),
            ("order-events-consumer", D, PyWorker, false),
            ("abandoned-cart-mailer", C, Batch, false),
            ("tax-calculator", D, GoApi, false),
        ],
        "search" => &[
            ("search-api", D, GoApi, false),
            ("search-indexer", D, Jvm, true),
            ("opensearch", S, OpenSearch, false),
            ("query-suggest", D, PyModel, false),
            ("reindex-nightly", C, Batch, false),
            ("synonyms-sync", D, PyWorker, false),
        ],
        "data" => &[
            ("postgres", S, Postgres, true),
            ("kafka", S, Kafka, false),
            ("debezium-connect", D, Jvm, false),
            ("airflow-scheduler", D, PyWorker, false),
            ("airflow-webserver", D, PyWorker, false),
            ("etl-hourly", C, Batch, false),
            ("pg-backup", C, Batch, false),
            ("psql-debug", B, Debug, false),
        ],
        "ml" => &[
            ("model-server", D, PyModel, true),
            ("feature-store", D, Jvm, false),
            ("embedding-worker", D, PyWorker, false),
            ("trainer-large", D, Trainer, false),
            ("batch-inference", C, Batch, false),
            ("notebook-scratch", B, Debug, false),
        ],
        "batch" => &[
            ("report-generator", C, Batch, false),
            ("invoice-runner", C, Batch, false),
            ("cleanup-tmp", C, Batch, false),
            ("email-digest", C, Batch, false),
            ("db-migrate-v42", J, Batch, false),
            ("queue-drainer", D, PyWorker, false),
        ],
        "web" => &[
            ("storefront", D, Node, true),
            ("admin-portal", D, Node, false),
            ("cms", D, Jvm, false),
            ("image-resizer", D, GoApi, false),
            ("static-assets", D, Nginx, false),
            ("web-bff", D, GoApi, false),
            ("sitemap-generator", C, Batch, false),
            ("curl-test", B, Debug, false),
        ],
        _ => &[],
    }
}

/// Name suffixes for generated workloads of other namespaces.
pub const GENERIC_SUFFIXES: &[(&str, VKind, Profile)] = &[
    ("api", VKind::D, Profile::GoApi),
    ("worker", VKind::D, Profile::PyWorker),
    ("web", VKind::D, Profile::Node),
    ("consumer", VKind::D, Profile::Jvm),
    ("grpc", VKind::D, Profile::GoApi),
    ("db", VKind::S, Profile::Postgres),
    ("nightly", VKind::C, Profile::Batch),
    ("gateway", VKind::D, Profile::GoApi),
    ("cache", VKind::S, Profile::Redis),
    ("scheduler", VKind::D, Profile::PyWorker),
    ("reconciler", VKind::D, Profile::Jvm),
    ("events", VKind::D, Profile::GoApi),
    ("admin", VKind::D, Profile::Node),
    ("indexer", VKind::D, Profile::Jvm),
    ("sync", VKind::C, Profile::Batch),
    ("scorer", VKind::D, Profile::PyModel),
    ("static", VKind::D, Profile::Nginx),
    ("exporter", VKind::D, Profile::GoApi),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eks_reservations() {
        let m5l = instance_named("m5.large");
        assert_eq!(m5l.cpu_reserved_milli(), 70);
        assert_eq!(instance_named("m5.xlarge").cpu_reserved_milli(), 80);
        assert_eq!(instance_named("m5.2xlarge").cpu_reserved_milli(), 90);
        assert_eq!(instance_named("m5.4xlarge").cpu_reserved_milli(), 110);
        let cap = m5l.mem_capacity_ki();
        assert!((7_900_000..8_000_000).contains(&cap), "{cap}");
        let alloc = m5l.mem_allocatable_ki(29);
        assert!((7_200_000..7_300_000).contains(&alloc), "{alloc}");
    }

    #[test]
    fn ladders_snap() {
        let mut r = Rng::new(1);
        assert_eq!(cpu_qty(240.0, &mut r).value, 250);
        assert_eq!(mem_qty(530.0 * 1024.0 * 1024.0, &mut r).value, 512 * MI);
        assert_eq!(cpu_qty_at_least(260, &mut r).value, 300);
        assert_eq!(mem_qty_at_least(GI + 1, &mut r).value, 1536 * MI);
    }
}

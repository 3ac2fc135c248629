//! Services of type LoadBalancer in the model: what kind of load balancer each makes, and the
//! selector that ties it to workloads.

use serde::Serialize;

/// A Service of type LoadBalancer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadBalancerService {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `service.beta.kubernetes.io/aws-load-balancer-type` (`nlb`, `external`, `nlb-ip`).
    pub aws_type: Option<String>,
    /// `spec.loadBalancerClass` (`service.k8s.aws/nlb`, …).
    pub load_balancer_class: Option<String>,
    /// Annotated as internal (AWS, GKE or Azure annotations).
    pub internal: bool,
    /// `spec.ports` entries (each is a load-balancing rule on Azure).
    pub ports: usize,
    /// `spec.selector`.
    pub selector: Vec<(String, String)>,
    /// `status.loadBalancer.ingress` is set: the cloud made the load balancer.
    pub provisioned: bool,
}

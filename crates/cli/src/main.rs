//! kube-rightsize command line.
fn main() {}

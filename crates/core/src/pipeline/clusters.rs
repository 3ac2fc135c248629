//! Several clusters in one analysis (the app's [`Clusters::PerSnapshot`]): the snapshots
//! grouped into clusters ([`crate::inputs::clusters`]), each analysed with its own usage and
//! price inputs, the reports merged into a fleet ([`crate::report::fleet`]).

use crate::analysis::{Settings, analyze_cluster_before_repack, repack_into};
use crate::cluster::{Cluster, InputSummary};
use crate::diagnostics::Warning;
use crate::ingest::{self, ReadInput};
use crate::inputs::clusters::{Assigned, best_cluster, group_snapshots};
use crate::inputs::{self, InputKind, JobInput, Role};
use crate::report::fleet::Member;

use super::{Failure, Pipeline, Stage};

/// How a job's snapshots become clusters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Clusters {
    /// Every snapshot is part of one cluster (the CLI's FILE arguments).
    #[default]
    One,
    /// Each snapshot with nodes starts a cluster, and the other inputs join the cluster they
    /// match ([`crate::inputs::clusters`]); the user's choices (input name → cluster name) come
    /// first. More than one cluster makes the analysis a fleet; one cluster is analysed exactly
    /// as with [`Clusters::One`].
    PerSnapshot(Assigned),
}

/// One cluster of a fleet analysis, on its way to a report.
pub(super) struct ClusterJob {
    /// Its name in the fleet.
    pub name: String,
    /// Its model, until analysed.
    pub cluster: Option<Cluster>,
    /// Its settings: the job's, with its own usage and price inputs (and the fleet's Vantage
    /// prices).
    pub settings: Settings,
}

/// The snapshots read, in input order: streamed ones first (as the one-cluster path merges
/// them).
pub(super) type Reads<'o> = Vec<ReadInput<'o>>;

impl<'a> Pipeline<'a> {
    /// Groups `reads` into clusters; with more than one, prepares each cluster's job
    /// ([`Pipeline::members`]) and returns `None`; else hands the reads back for the
    /// one-cluster path (and records the one cluster's name for every input).
    pub(super) fn group<'o>(
        &mut self,
        reads: Reads<'o>,
        base: &Settings,
        prepared: &inputs::Prepared<'_>,
    ) -> Result<Option<Reads<'o>>, Failure> {
        let super::Clusters::PerSnapshot(assigned) = &self.clusters else {
            return Ok(Some(reads));
        };
        let facts: Vec<_> = reads.iter().map(ReadInput::facts).collect();
        let groups = group_snapshots(&facts, assigned);
        drop(facts);
        if groups.len() <= 1 {
            let name = groups.first().map(|(n, _)| n.clone()).unwrap_or_default();
            self.assignment = self
                .kinds
                .iter()
                .filter(|(_, k)| *k != InputKind::Report)
                .map(|(input, _)| (input.clone(), name.clone()))
                .collect();
            return Ok(Some(reads));
        }
        let assigned = assigned.clone();
        self.summaries = reads.iter().map(|r| r.summary().clone()).collect();
        let mut slots: Vec<Option<ReadInput<'o>>> = reads.into_iter().map(Some).collect();
        let mut jobs = Vec::with_capacity(groups.len());
        for (name, members) in &groups {
            let read: Vec<ReadInput<'o>> =
                members.iter().filter_map(|&i| slots[i].take()).collect();
            for r in &read {
                self.assignment
                    .push((r.summary().name.clone(), name.clone()));
            }
            jobs.push(ClusterJob {
                name: name.clone(),
                cluster: Some(ingest::ingest_read(read)?),
                settings: base.clone(),
            });
        }
        self.share_usage(&mut jobs, &assigned, prepared);
        self.share_prices(&mut jobs, &assigned)?;
        // The chips list inputs in their order.
        let order: Vec<&String> = self.kinds.iter().map(|(n, _)| n).collect();
        self.assignment
            .sort_by_key(|(input, _)| order.iter().position(|n| *n == input));
        self.members = jobs;
        Ok(None)
    }

    /// Each usage input to the cluster the user chose, else the one it matches best.
    fn share_usage(
        &mut self,
        jobs: &mut [ClusterJob],
        assigned: &Assigned,
        prepared: &inputs::Prepared<'_>,
    ) {
        for (input, usage) in &prepared.usage {
            let chosen = assigned
                .get(input)
                .and_then(|name| jobs.iter().position(|j| &j.name == name));
            let index = chosen.unwrap_or_else(|| {
                let clusters: Vec<&Cluster> =
                    jobs.iter().filter_map(|j| j.cluster.as_ref()).collect();
                best_cluster(usage, &clusters)
            });
            // The last usage input of a cluster wins, as in one cluster.
            jobs[index].settings.recommendations = Some(usage.clone());
            self.assignment
                .push((input.clone(), jobs[index].name.clone()));
        }
    }

    /// Price files (and the app's Vantage prices) to the cluster the user chose, else to every
    /// cluster.
    fn share_prices(
        &mut self,
        jobs: &mut [ClusterJob],
        assigned: &Assigned,
    ) -> Result<(), Failure> {
        let prices: Vec<JobInput<'a>> = self
            .inputs
            .iter()
            .filter(|i| {
                i.role == Role::VantagePrices
                    || self
                        .kinds
                        .iter()
                        .any(|(n, k)| n == i.name && *k == InputKind::Prices)
            })
            .copied()
            .collect();
        // A name that is no cluster's (any more) counts as none.
        let chosen = |i: &JobInput<'_>| {
            assigned
                .get(i.name)
                .filter(|c| jobs.iter().any(|j| &j.name == *c))
                .cloned()
        };
        let chosen: Vec<Option<String>> = prices.iter().map(chosen).collect();
        for job in jobs.iter_mut() {
            let mine: Vec<JobInput<'a>> = prices
                .iter()
                .zip(&chosen)
                .filter(|(_, c)| c.as_ref().is_none_or(|c| *c == job.name))
                .map(|(i, _)| *i)
                .collect();
            inputs::sort(&mine, &mut job.settings)?;
        }
        for (i, to) in prices.iter().zip(chosen) {
            if i.role != Role::VantagePrices {
                // Empty: every cluster.
                self.assignment
                    .push((i.name.to_owned(), to.unwrap_or_default()));
            }
        }
        Ok(())
    }

    /// Analyses the next cluster of a fleet; `true` when it was the last.
    pub(super) fn analyse_member(&mut self, index: usize) -> bool {
        let catalogue = self.catalogue.as_deref().or(self.embedded);
        let job = &mut self.members[index];
        let cluster = job.cluster.take().unwrap_or_default();
        let mut analysis =
            analyze_cluster_before_repack(cluster, &job.settings, catalogue, &self.generated_at);
        repack_into(&mut analysis, &job.settings, catalogue);
        let mut report = analysis.report;
        report.cluster = Some(job.name.clone());
        self.fleet_reports.push(Member {
            input: job.name.clone(),
            report,
            warnings: Vec::new(),
        });
        let next = index + 1;
        if let Some(job) = self.members.get(next) {
            let text = format!(
                "Analysing {} ({}/{})",
                job.name,
                next + 1,
                self.members.len()
            );
            self.progress(Stage::Analysing, text, None);
            false
        } else {
            true
        }
    }

    /// The fleet of the analysed clusters, with a note saying which cluster Prometheus was asked
    /// about.
    pub(super) fn fleet_of_members(&mut self) -> crate::report::fleet::Fleet {
        let reports = std::mem::take(&mut self.fleet_reports);
        let mut fleet = crate::report::fleet::merge(reports, &self.generated_at);
        if self.prometheus.is_some()
            && let Some(measured) = self.members.get(self.measured_member())
        {
            fleet.warnings.push(Warning::new(
                "prometheus_one_cluster",
                &measured.name,
                format!(
                    "Prometheus usage was queried for {} only: one Prometheus serves one \
                     cluster (choose which next to the Prometheus URL). Give the other \
                     clusters a KRR result or a usage snapshot, or analyse each with its own \
                     Prometheus and merge the reports.",
                    measured.name
                ),
            ));
        }
        fleet
    }

    /// What each input held, by input name, when the snapshots were analysed as several
    /// clusters: a snapshot's summary, else its kind.
    pub(super) fn held_by_input(&self) -> Vec<(String, String)> {
        let summaries: &[InputSummary] = &self.summaries;
        self.kinds
            .iter()
            .map(|(name, kind)| {
                let what = match kind {
                    InputKind::Snapshot => summaries
                        .iter()
                        .find(|s| &s.name == name)
                        .map(InputSummary::describe)
                        .unwrap_or_else(|| kind.label().to_owned()),
                    other => other.label().to_owned(),
                };
                (name.clone(), what)
            })
            .collect()
    }
}

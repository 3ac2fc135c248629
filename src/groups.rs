//! Showback in the app: the "Group by" bar above the report's tabs (label keys found in the
//! snapshot, the idle rule, the shared namespaces and how they are spread) and the "Costs by …"
//! tab. The figures, the chart and the table's columns come from the core ([`columns::GROUPS`],
//! [`columns::allocation_figures`], [`render_allocation_chart`]); changes are preferences, saved
//! and re-run like the settings panel's.

use std::sync::Arc;

use kube_rightsize_core::allocation::{Allocation, AllocationSettings, IdleRule, SharedSplit};
use kube_rightsize_core::preferences::Preferences;
use kube_rightsize_core::report::Report;
use kube_rightsize_core::report::columns;
use kube_rightsize_core::report::html::render_allocation_chart;
use kube_rightsize_core::settings as rules;
use leptos::prelude::*;

use crate::report_view::{cards, core_table};

/// The keys chosen in `group_by` (`team,env` → `["team", "env"]`), read by the core's rule;
/// text the rule refuses chooses none (the settings panel shows the rule's error).
fn chosen(group_by: &str) -> Vec<String> {
    rules::parse_group_by(group_by).unwrap_or_default()
}

/// One `<select>` of label keys: `(none)` first, then the keys found with their pod counts;
/// a chosen key the snapshot does not have is kept as an option.
fn key_options(keys: &[(String, usize)], current: &str, skip: &str) -> impl IntoView + use<> {
    let mut options: Vec<(String, String)> = vec![(String::new(), "(none)".to_owned())];
    if !current.is_empty() && !keys.iter().any(|(k, _)| k == current) {
        options.push((
            current.to_owned(),
            format!("{current} (not in this snapshot)"),
        ));
    }
    options.extend(keys.iter().filter(|(k, _)| k != skip).map(|(k, n)| {
        (
            k.clone(),
            format!("{k} ({n} pod{})", if *n == 1 { "" } else { "s" }),
        )
    }));
    let current = current.to_owned();
    options
        .into_iter()
        .map(|(value, label)| {
            let selected = value == current;
            view! { <option value=value selected=selected>{label}</option> }
        })
        .collect_view()
}

/// The "Group by" bar: one or two label keys, and with a key the idle and shared-cost rules.
#[component]
pub fn GroupByBar(
    /// The snapshot's pod label keys with their pod counts, most common first.
    keys: Arc<Vec<(String, usize)>>,
    /// The preferences being edited.
    prefs: RwSignal<Preferences>,
    /// Called after every change (the app saves and re-runs).
    on_change: Callback<()>,
) -> impl IntoView {
    let set_key = move |slot: usize, value: String| {
        prefs.update(|p| {
            let mut keys = chosen(&p.group_by);
            keys.truncate(slot);
            if !value.is_empty() {
                keys.push(value);
            }
            p.group_by = keys.join(",");
        });
        on_change.run(());
    };
    let first = move || chosen(&prefs.with(|p| p.group_by.clone())).first().cloned();
    let second = move || chosen(&prefs.with(|p| p.group_by.clone())).get(1).cloned();
    let keys2 = Arc::clone(&keys);
    view! {
        <div class="row group-by" id="group-by-bar">
            <label>
                "Group costs by label "
                <select
                    id="group-by-key"
                    on:change=move |ev| set_key(0, event_target_value(&ev))
                >
                    {move || key_options(&keys, &first().unwrap_or_default(), "")}
                </select>
            </label>
            <Show when=move || first().is_some()>
                <label>
                    " then "
                    <select
                        id="group-by-key2"
                        on:change=move |ev| set_key(1, event_target_value(&ev))
                    >
                        {
                            let keys2 = Arc::clone(&keys2);
                            move || key_options(
                                &keys2,
                                &second().unwrap_or_default(),
                                &first().unwrap_or_default(),
                            )
                        }
                    </select>
                </label>
                <label>
                    " idle cost "
                    <select
                        id="group-by-idle"
                        on:change=move |ev| {
                            if let Some(rule) = IdleRule::parse(&event_target_value(&ev)) {
                                prefs.update(|p| p.idle = rule);
                                on_change.run(());
                            }
                        }
                    >
                        {IdleRule::ALL
                            .into_iter()
                            .map(|r| {
                                let label = match r {
                                    IdleRule::Separate => "kept separate",
                                    IdleRule::ClusterRequests => "shared by requests, cluster-wide",
                                    IdleRule::NodeRequests => "shared by requests, per node",
                                };
                                view! {
                                    <option value=r.as_str() selected=move || prefs.with(|p| p.idle == r)>
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    " shared namespaces "
                    <input
                        type="text"
                        id="group-by-shared"
                        size="18"
                        placeholder="(none)"
                        title="Namespaces whose cost (and the control plane) the groups share, comma-separated; empty for none"
                        prop:value=move || {
                            prefs.with(|p| {
                                p.shared_namespaces.clone().unwrap_or_else(|| {
                                    AllocationSettings::default().shared_namespaces.join(",")
                                })
                            })
                        }
                        on:change=move |ev| {
                            let text = event_target_value(&ev);
                            prefs.update(|p| p.shared_namespaces = Some(text));
                            on_change.run(());
                        }
                    />
                </label>
                <label>
                    " spread "
                    <select
                        id="group-by-split"
                        on:change=move |ev| {
                            if let Some(split) = SharedSplit::parse(&event_target_value(&ev)) {
                                prefs.update(|p| p.shared_split = split);
                                on_change.run(());
                            }
                        }
                    >
                        {SharedSplit::ALL
                            .into_iter()
                            .map(|s| {
                                let label = match s {
                                    SharedSplit::Proportional => "in proportion to cost",
                                    SharedSplit::Even => "evenly",
                                };
                                view! {
                                    <option value=s.as_str() selected=move || prefs.with(|p| p.shared_split == s)>
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            </Show>
        </div>
    }
}

/// The "Costs by …" tab: the figures, the chart, the groups and the rules used.
pub fn groups_tab(report: &Report, a: &Allocation) -> impl IntoView + use<> {
    let rules = a.rules.description.clone();
    view! {
        {cards("allocation-figures", columns::allocation_figures(a))}
        <div class="report-charts" inner_html=render_allocation_chart(a)></div>
        {core_table(
            report,
            "allocation-groups",
            columns::GROUPS,
            columns::GROUPS_VIEW.people,
            &a.groups,
            Some("total_monthly_cost"),
            None,
        )}
        <ul class="muted" id="allocation-rules">
            {rules.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use super::chosen;

    #[test]
    fn chosen_keys_are_the_core_rules_reading() {
        assert_eq!(chosen(" team , env "), ["team", "env"]);
        assert!(chosen("").is_empty());
        assert!(chosen("bad key!").is_empty());
    }
}

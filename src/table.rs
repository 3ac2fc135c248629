//! A generic data table: text filter, facet filters, sortable columns, pagination and a totals
//! row. Rows are prepared by the views from the core's report; the table only displays them.

use std::cmp::Ordering;
use std::sync::Arc;

use kube_rightsize_core::report::columns::{self, Kind, Value};
use leptos::prelude::*;

/// How a column's cells sort and align.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Text, left-aligned.
    Text,
    /// A number, right-aligned; the cell's `value` sorts it.
    Number,
    /// A money amount: a number that is summed in the totals row.
    Money,
}

/// A column.
#[derive(Clone)]
pub struct Column {
    /// Header text.
    pub title: &'static str,
    /// What the column holds (the header's tooltip); may be empty.
    pub help: &'static str,
    /// Sorting and alignment.
    pub kind: ColumnKind,
    /// Offer a filter select over this column's distinct values.
    pub facet: bool,
}

impl Column {
    /// A text column.
    pub fn text(title: &'static str) -> Column {
        Column {
            title,
            help: "",
            kind: ColumnKind::Text,
            facet: false,
        }
    }
    /// A number column.
    pub fn number(title: &'static str) -> Column {
        Column {
            kind: ColumnKind::Number,
            ..Column::text(title)
        }
    }
    /// A money column (summed in the totals row).
    pub fn money(title: &'static str) -> Column {
        Column {
            kind: ColumnKind::Money,
            ..Column::text(title)
        }
    }
    /// Offer a facet filter on this column.
    pub fn facet(mut self) -> Column {
        self.facet = true;
        self
    }
    /// One of the core's columns ([`columns::Column`]): its title, help, kind and filter.
    pub fn of<R>(c: &columns::Column<R>) -> Column {
        Column {
            title: c.title,
            help: c.help,
            kind: match c.kind {
                Kind::Text => ColumnKind::Text,
                Kind::Number => ColumnKind::Number,
                Kind::Money => ColumnKind::Money,
            },
            facet: c.filter,
        }
    }
}

/// One cell: what is shown, how it sorts, and its explanation on hover.
#[derive(Clone, Debug, Default)]
pub struct Cell {
    /// Displayed text.
    pub text: String,
    /// Numeric value for sorting and totals.
    pub value: f64,
    /// Hover explanation.
    pub title: Option<String>,
    /// Extra CSS class (e.g. a severity colour).
    pub class: Option<&'static str>,
}

impl Cell {
    /// A text cell.
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }
    /// A numeric cell with its display text.
    pub fn num(value: f64, text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            value,
            ..Cell::default()
        }
    }
    /// Adds a hover explanation.
    pub fn with_title(mut self, title: impl Into<String>) -> Cell {
        self.title = Some(title.into());
        self
    }
    /// Adds a CSS class.
    pub fn with_class(mut self, class: &'static str) -> Cell {
        self.class = Some(class);
        self
    }
    /// A cell of one of the core's tables: its text for people, its sort key, and a class for
    /// severities and multi-line cells.
    pub fn of(v: &Value<'_>) -> Cell {
        let class = match v {
            Value::Severity(Some("GOOD")) => Some("sev-GOOD"),
            Value::Severity(Some("OK")) => Some("sev-OK"),
            Value::Severity(Some("WARNING")) => Some("sev-WARNING"),
            Value::Severity(Some("CRITICAL")) => Some("sev-CRITICAL"),
            Value::Severity(_) => Some("sev-UNKNOWN"),
            Value::Containers(_) => Some("lines"),
            Value::Code(_) => Some("warn-code"),
            _ => None,
        };
        Cell {
            text: v.display(),
            value: v.sort_key().unwrap_or(0.0),
            title: None,
            class,
        }
    }
}

/// Rows per page.
const PAGE: usize = 100;

/// A sortable, filterable, paginated table.
#[component]
pub fn DataTable(
    /// Used for element ids (`<id>-table`, `<id>-filter`).
    id: &'static str,
    /// The columns.
    columns: Vec<Column>,
    /// The rows, each with one cell per column.
    rows: Arc<Vec<Vec<Cell>>>,
    /// Format a money total for the totals row.
    money: fn(f64) -> String,
    /// Column to sort by at first (descending for numbers).
    #[prop(default = None)]
    initial_sort: Option<usize>,
) -> impl IntoView {
    let columns = Arc::new(columns);
    let filter = RwSignal::new(String::new());
    let facet_values: Vec<RwSignal<String>> = columns
        .iter()
        .map(|_| RwSignal::new(String::new()))
        .collect();
    let sort = RwSignal::new(initial_sort.map(|c| (c, columns[c].kind == ColumnKind::Text)));
    let page = RwSignal::new(0usize);
    let facets = facet_selects(id, &rows, &columns, &facet_values, page);
    let header = header_cells(&columns, sort, page);

    let (cols, all_rows) = (Arc::clone(&columns), Arc::clone(&rows));
    let visible = Memo::new(move |_| {
        let needle = filter.get().to_lowercase();
        let chosen: Vec<String> = facet_values.iter().map(|s| s.get()).collect();
        visible_rows(&all_rows, &cols, &needle, &chosen, sort.get())
    });
    let (body_cols, body_rows) = (Arc::clone(&columns), Arc::clone(&rows));
    let body = move || visible.with(|idx| page_rows(&body_rows, &body_cols, idx, page.get()));
    let (total_cols, total_rows) = (Arc::clone(&columns), Arc::clone(&rows));
    let totals = move || visible.with(|idx| totals_row(&total_rows, &total_cols, idx, money));

    let pages = move || visible.with(|v| v.len().div_ceil(PAGE).max(1));
    view! {
        <div class="filters">
            <input
                type="search"
                id=format!("{id}-filter")
                placeholder="Filter…"
                aria-label="Filter rows"
                on:input=move |ev| {
                    filter.set(event_target_value(&ev));
                    page.set(0);
                }
            />
            {facets}
            <span class="muted">{move || format!("{} of {} rows", visible.with(Vec::len), rows.len())}</span>
        </div>
        <div class="table-wrap">
            <table id=format!("{id}-table")>
                <thead><tr>{header}</tr></thead>
                <tbody>{body}</tbody>
                <tfoot>{totals}</tfoot>
            </table>
        </div>
        <Show when=move || { pages() > 1 }>
            <div class="pager">
                <button on:click=move |_| page.update(|p| *p = p.saturating_sub(1)) disabled=move || page.get() == 0>
                    "← Previous"
                </button>
                <span>{move || format!("Page {} of {}", page.get() + 1, pages())}</span>
                <button on:click=move |_| page.update(|p| *p = (*p + 1).min(pages() - 1)) disabled=move || page.get() + 1 >= pages()>
                    "Next →"
                </button>
            </div>
        </Show>
    }
}

/// The rows that pass the text filter (`needle`, lower case) and the chosen facet values, in
/// `sort` order (column, ascending).
fn visible_rows(
    rows: &[Vec<Cell>],
    columns: &[Column],
    needle: &str,
    chosen: &[String],
    sort: Option<(usize, bool)>,
) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..rows.len())
        .filter(|&i| {
            let row = &rows[i];
            let text_ok =
                needle.is_empty() || row.iter().any(|c| c.text.to_lowercase().contains(needle));
            let facets_ok = chosen
                .iter()
                .enumerate()
                .all(|(c, v)| v.is_empty() || row.get(c).is_some_and(|cell| &cell.text == v));
            text_ok && facets_ok
        })
        .collect();
    if let Some((c, ascending)) = sort {
        let text = columns[c].kind == ColumnKind::Text;
        idx.sort_by(|&a, &b| {
            let (x, y) = (&rows[a][c], &rows[b][c]);
            let o = if text {
                x.text.cmp(&y.text)
            } else {
                x.value.partial_cmp(&y.value).unwrap_or(Ordering::Equal)
            };
            if ascending { o } else { o.reverse() }
        });
    }
    idx
}

/// The header: a sort button per column.
fn header_cells(
    columns: &[Column],
    sort: RwSignal<Option<(usize, bool)>>,
    page: RwSignal<usize>,
) -> impl IntoView + use<> {
    columns
        .iter()
        .enumerate()
        .map(|(c, col)| {
            let numeric = col.kind != ColumnKind::Text;
            let arrow = move || match sort.get() {
                Some((s, true)) if s == c => " ▲",
                Some((s, false)) if s == c => " ▼",
                _ => "",
            };
            let aria = move || match sort.get() {
                Some((s, true)) if s == c => "ascending",
                Some((s, false)) if s == c => "descending",
                _ => "none",
            };
            view! {
                <th class:num=numeric aria-sort=aria scope="col" title=(!col.help.is_empty()).then_some(col.help)>
                    <button
                        class="sort"
                        on:click=move |_| {
                            sort.update(|s| {
                                *s = match *s {
                                    Some((x, asc)) if x == c => Some((c, !asc)),
                                    _ => Some((c, !numeric)),
                                }
                            });
                            page.set(0);
                        }
                    >
                        {col.title}
                        {arrow}
                    </button>
                </th>
            }
        })
        .collect_view()
}

/// The rows of page `page` of `idx`.
fn page_rows(
    rows: &[Vec<Cell>],
    columns: &[Column],
    idx: &[usize],
    page: usize,
) -> impl IntoView + use<> {
    idx.iter()
        .skip(page * PAGE)
        .take(PAGE)
        .map(|&i| {
            let cells = rows[i]
                .iter()
                .enumerate()
                .map(|(c, cell)| {
                    let numeric = columns
                        .get(c)
                        .is_some_and(|col| col.kind != ColumnKind::Text);
                    let class = match (numeric, cell.class) {
                        (true, Some(k)) => format!("num {k}"),
                        (true, None) => "num".to_string(),
                        (false, Some(k)) => k.to_string(),
                        (false, None) => String::new(),
                    };
                    view! { <td class=class title=cell.title.clone()>{cell.text.clone()}</td> }
                })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view()
}

/// The totals row (row count, money sums) of the rows `idx`, when a column is money.
fn totals_row(
    rows: &[Vec<Cell>],
    columns: &[Column],
    idx: &[usize],
    money: fn(f64) -> String,
) -> Option<impl IntoView + use<>> {
    columns
        .iter()
        .any(|c| c.kind == ColumnKind::Money)
        .then(|| {
            let cells = columns
                .iter()
                .enumerate()
                .map(|(c, col)| {
                    if c == 0 {
                        view! { <td>{format!("Total ({} rows)", idx.len())}</td> }.into_any()
                    } else if col.kind == ColumnKind::Money {
                        let sum: f64 = idx.iter().map(|&i| rows[i][c].value).sum();
                        view! { <td class="num">{money(sum)}</td> }.into_any()
                    } else {
                        view! { <td></td> }.into_any()
                    }
                })
                .collect_view();
            view! { <tr class="total">{cells}</tr> }
        })
}

/// A select per facet column, listing its values.
fn facet_selects(
    id: &'static str,
    rows: &[Vec<Cell>],
    columns: &[Column],
    chosen: &[RwSignal<String>],
    page: RwSignal<usize>,
) -> impl IntoView + use<> {
    columns
        .iter()
        .enumerate()
        .filter(|(_, col)| col.facet)
        .map(|(c, col)| {
            let mut values: Vec<String> = rows
                .iter()
                .filter_map(|r| r.get(c))
                .filter(|cell| !cell.text.is_empty())
                .map(|cell| cell.text.clone())
                .collect();
            values.sort();
            values.dedup();
            let signal = chosen[c];
            let label = format!("Filter by {}", col.title.to_lowercase());
            view! {
                <select
                    aria-label=label
                    id=format!("{id}-facet-{c}")
                    on:change=move |ev| {
                        signal.set(event_target_value(&ev));
                        page.set(0);
                    }
                >
                    <option value="">{format!("All: {}", col.title.to_lowercase())}</option>
                    {values.into_iter().map(|v| view! { <option value=v.clone()>{v.clone()}</option> }).collect_view()}
                </select>
            }
        })
        .collect_view()
}

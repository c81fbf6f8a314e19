//! What the services table asks for ([`ServiceQuery`]) and gets
//! ([`ServicesPage`]): one group's folders and apps, filtered, sorted and
//! cut to a page on the server so 1,000 apps cost one small response.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::apps::AppSummary;
use super::row_updates::TaskBrief;
use super::status::{AppStatus, StatusCounts};

/// Rows per page of the services table.
pub const PAGE_SIZE: usize = 50;

/// Column the table is sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    /// Id (the default).
    #[default]
    Name,
    /// [`AppStatus`] order.
    Status,
    /// Running instances.
    Instances,
    /// Total CPUs (`cpus × instances`).
    Cpus,
    /// Total memory (`mem × instances`).
    Mem,
}

/// The table's state: which group, which filter, which order, which page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceQuery {
    /// Absolute group id, `/` for everything.
    pub group: String,
    /// The filter box, parsed by [`TextFilter::parse`]: words are
    /// case-insensitive substrings of the app id or of a label
    /// `key=value`; `label:key=value` (or `label:key`) selects by label.
    /// When not empty the whole subtree is searched and listed flat.
    pub text: String,
    /// Only apps in this status (also searches the whole subtree).
    pub status: Option<AppStatus>,
    /// Sort column.
    pub sort: SortKey,
    /// Reverse the order.
    pub descending: bool,
    /// 0-based page.
    pub page: usize,
}

impl Default for ServiceQuery {
    fn default() -> Self {
        ServiceQuery {
            group: "/".into(),
            text: String::new(),
            status: None,
            sort: SortKey::Name,
            descending: false,
            page: 0,
        }
    }
}

/// A sub-group shown as a folder row, with totals over its apps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    /// Absolute id.
    pub id: String,
    /// Apps anywhere below it.
    pub apps: usize,
    /// Running instances below it.
    pub running: u32,
    /// Wanted instances below it.
    pub instances: u32,
    /// `Σ cpus × instances`.
    pub cpus: f64,
    /// `Σ mem × instances`.
    pub mem: f64,
}

/// One page of the services table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServicesPage {
    /// Folders directly under the group (none while filtering).
    pub groups: Vec<GroupRow>,
    /// The apps of this page.
    pub apps: Vec<AppSummary>,
    /// Apps matching the query, over all pages.
    pub matching: usize,
    /// The page returned (clamped to the last page).
    pub page: usize,
    /// Number of pages (at least 1).
    pub pages: usize,
    /// Statuses of every app under the group, unfiltered (for filter chips).
    pub counts: StatusCounts,
    /// Every label `(key, value)` of the apps under the group, sorted and
    /// distinct (for the label selector).
    pub labels: Vec<(String, String)>,
    /// The tasks of the apps of this page, by app id: the rows apply task
    /// events to them ([`super::row_updates`]). Filled by `list_services`.
    pub tasks: BTreeMap<String, Vec<TaskBrief>>,
    /// The server's clock (ms since the epoch) read before the apps and
    /// tasks were: events stamped earlier are in this page.
    pub as_of_ms: u64,
}

/// The filter box, split into its terms. Every term must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextFilter {
    /// Lower-case substrings of the app id or of a label `key=value`.
    pub words: Vec<String>,
    /// `label:key=value` → `(key, Some(value))`; `label:key` → `(key, None)`
    /// (the app has the label, whatever its value). Exact, case-sensitive,
    /// like Marathon's label selectors.
    pub labels: Vec<(String, Option<String>)>,
}

impl TextFilter {
    /// Splits `text` at white space into words and `label:` terms.
    pub fn parse(text: &str) -> Self {
        let mut filter = TextFilter::default();
        for term in text.split_whitespace() {
            match term.strip_prefix("label:") {
                Some("") => {}
                Some(selector) => filter.labels.push(match selector.split_once('=') {
                    Some((key, value)) => (key.to_string(), Some(value.to_string())),
                    None => (selector.to_string(), None),
                }),
                None => filter.words.push(term.to_lowercase()),
            }
        }
        filter
    }

    /// Whether `app` satisfies every term.
    pub fn matches(&self, app: &AppSummary) -> bool {
        let labels_match = self.labels.iter().all(|(key, want)| match (app.labels.get(key), want) {
            (Some(value), Some(want)) => value == want,
            (Some(_), None) => true,
            (None, _) => false,
        });
        labels_match
            && self.words.iter().all(|word| {
                app.id.to_lowercase().contains(word)
                    || app.labels.iter().any(|(k, v)| format!("{k}={v}").to_lowercase().contains(word))
            })
    }

    /// `text` with the selector `label:key=value` added, or removed if it
    /// is there already (what picking a label in the selector does).
    pub fn toggle_label(text: &str, key: &str, value: &str) -> String {
        let term = format!("label:{key}={value}");
        let mut terms: Vec<&str> = text.split_whitespace().collect();
        match terms.iter().position(|t| *t == term) {
            Some(at) => {
                terms.remove(at);
                terms.join(" ")
            }
            None => {
                terms.push(&term);
                terms.join(" ")
            }
        }
    }
}

impl ServicesPage {
    /// Builds the page from every app at or below `query.group`.
    pub fn build(all: Vec<AppSummary>, query: &ServiceQuery) -> Self {
        let group = normalized_group(&query.group);
        let all: Vec<AppSummary> = all.into_iter().filter(|a| is_below(&group, &a.id)).collect();
        let counts = StatusCounts::of(all.iter().map(|a| a.status));
        let mut labels: Vec<(String, String)> =
            all.iter().flat_map(|a| a.labels.iter().map(|(k, v)| (k.clone(), v.clone()))).collect();
        labels.sort();
        labels.dedup();
        let filter = TextFilter::parse(&query.text);
        let searching = !query.text.trim().is_empty() || query.status.is_some();
        let groups = if searching { Vec::new() } else { group_rows(&group, &all) };
        let mut apps: Vec<AppSummary> = all
            .into_iter()
            .filter(|a| searching || parent_of(&a.id) == group)
            .filter(|a| query.status.is_none_or(|s| a.status == s))
            .filter(|a| filter.matches(a))
            .collect();
        sort_apps(&mut apps, query.sort, query.descending);
        let matching = apps.len();
        let pages = matching.div_ceil(PAGE_SIZE).max(1);
        let page = query.page.min(pages - 1);
        let apps = apps.into_iter().skip(page * PAGE_SIZE).take(PAGE_SIZE).collect();
        ServicesPage {
            groups,
            apps,
            matching,
            page,
            pages,
            counts,
            labels,
            tasks: BTreeMap::new(),
            as_of_ms: 0,
        }
    }
}

/// `/a/b` without a trailing slash; `/` for the root.
fn normalized_group(group: &str) -> String {
    let trimmed = group.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else if trimmed.starts_with('/') {
        trimmed.into()
    } else {
        format!("/{trimmed}")
    }
}

fn is_below(group: &str, id: &str) -> bool {
    group == "/" || id.strip_prefix(group).is_some_and(|rest| rest.starts_with('/'))
}

/// The group id an app id sits in (`/a/b` → `/a`, `/b` → `/`).
pub fn parent_of(id: &str) -> String {
    match id.rfind('/') {
        Some(0) | None => "/".into(),
        Some(at) => id[..at].into(),
    }
}

fn group_rows(group: &str, apps: &[AppSummary]) -> Vec<GroupRow> {
    let prefix = if group == "/" { "/".to_string() } else { format!("{group}/") };
    let mut rows: Vec<GroupRow> = Vec::new();
    for app in apps {
        let Some(rest) = app.id.strip_prefix(&prefix) else { continue };
        let Some((child, _)) = rest.split_once('/') else { continue };
        let id = format!("{prefix}{child}");
        let row = match rows.iter_mut().find(|r| r.id == id) {
            Some(row) => row,
            None => {
                rows.push(GroupRow { id, apps: 0, running: 0, instances: 0, cpus: 0.0, mem: 0.0 });
                let last = rows.len() - 1;
                &mut rows[last]
            }
        };
        row.apps += 1;
        row.running += app.tasks.running;
        row.instances += app.instances;
        row.cpus += app.cpus * f64::from(app.instances);
        row.mem += app.mem * f64::from(app.instances);
    }
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    rows
}

fn sort_apps(apps: &mut [AppSummary], key: SortKey, descending: bool) {
    let total = |a: &AppSummary, per: f64| per * f64::from(a.instances);
    apps.sort_by(|a, b| {
        let order = match key {
            SortKey::Name => a.id.cmp(&b.id),
            SortKey::Status => a.status.cmp(&b.status),
            SortKey::Instances => a.tasks.running.cmp(&b.tasks.running),
            SortKey::Cpus => total(a, a.cpus).total_cmp(&total(b, b.cpus)),
            SortKey::Mem => total(a, a.mem).total_cmp(&total(b, b.mem)),
        };
        let order = order.then_with(|| a.id.cmp(&b.id));
        if descending {
            order.reverse()
        } else {
            order
        }
    });
}

#[cfg(test)]
#[path = "services_query_tests.rs"]
mod tests;

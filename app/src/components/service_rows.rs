//! The services table's rows, kept across refetches: one signal per app
//! (a [`LiveRow`]) and one per folder, keyed by id. A new snapshot of the
//! list ([`ServiceRows::show`]) updates the signals of the rows it still
//! has, so only the cells whose values differ change; rows that appear are
//! created, rows that go are dropped, and the order follows the snapshot.
//! The table renders them with one keyed `<For>`, so a refetch neither
//! rebuilds the table nor loses the focus of a row's button.
//!
//! Task events change the rows in between: [`ServiceRows::follow`] (an
//! effect, so in the browser only) applies each new event of the live feed
//! to its app's row, and each snapshot first replays the events still in
//! the feed (the reducer drops those the snapshot has). Both keep one mark,
//! the feed position read up to, so no event is applied twice or missed.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::api::row_updates::LiveRow;
use crate::api::services_query::{GroupRow, ServicesPage};
use crate::live::LiveUpdates;

/// One app row: its id (the key) and its state.
#[derive(Debug, Clone)]
pub struct AppRowState {
    /// Absolute app id, the row's key.
    pub id: String,
    /// What the row shows; set by each snapshot, changed by task events.
    pub row: ArcRwSignal<LiveRow>,
}

/// One folder row: its id (the key) and its totals.
#[derive(Debug, Clone)]
pub struct GroupRowState {
    /// Absolute group id, the row's key.
    pub id: String,
    /// The folder's totals; set by each snapshot when they change.
    pub group: ArcRwSignal<GroupRow>,
}

/// A row of the table (one `<For>` renders both kinds: Marathon ids
/// never name a group and an app alike, so the id is the key).
#[derive(Debug, Clone)]
pub enum TableRow {
    /// A folder.
    Group(GroupRowState),
    /// An app.
    App(AppRowState),
}

impl TableRow {
    /// The row's key.
    pub fn id(&self) -> &str {
        match self {
            TableRow::Group(g) => &g.id,
            TableRow::App(a) => &a.id,
        }
    }
}

/// Where the page stands among the pages of the list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pager {
    /// 0-based page shown.
    pub page: usize,
    /// Number of pages (at least 1).
    pub pages: usize,
    /// Apps matching the query, over all pages.
    pub matching: usize,
}

/// What a snapshot has to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Folders or apps: the table.
    Table,
    /// Nothing; `filtered` when a filter hides what the group has.
    Empty {
        /// Apps exist under the group but none match.
        filtered: bool,
    },
}

/// The rows of the services table (cheap to copy: signal handles).
#[derive(Debug, Clone, Copy)]
pub struct ServiceRows {
    apps: RwSignal<Vec<AppRowState>>,
    groups: RwSignal<Vec<GroupRowState>>,
    pager: RwSignal<Pager>,
    live: LiveUpdates,
    /// The task feed position applied up to.
    mark: StoredValue<u64>,
}

impl ServiceRows {
    /// No rows yet; task events come from `live`.
    pub fn new(live: LiveUpdates) -> Self {
        ServiceRows {
            apps: RwSignal::new(Vec::new()),
            groups: RwSignal::new(Vec::new()),
            pager: RwSignal::new(Pager::default()),
            live,
            mark: StoredValue::new(0),
        }
    }

    /// The table's rows: folders, then apps, in the snapshot's order
    /// (tracked: changes when a row comes, goes or moves, not when a row's
    /// values change).
    pub fn table(&self) -> Vec<TableRow> {
        let mut rows: Vec<TableRow> = self.groups.with(|g| g.iter().cloned().map(TableRow::Group).collect());
        self.apps.with(|a| rows.extend(a.iter().cloned().map(TableRow::App)));
        rows
    }

    /// The page numbers.
    pub fn pager(&self) -> ReadSignal<Pager> {
        self.pager.read_only()
    }

    /// Takes a snapshot of the list: updates the rows in place, with the
    /// task events the feed still has replayed on them.
    pub fn show(&self, snapshot: ServicesPage, filtering: bool) -> Shown {
        let ServicesPage { groups, apps, matching, page, pages, counts, mut tasks, as_of_ms, .. } = snapshot;
        let shown = if apps.is_empty() && groups.is_empty() {
            Shown::Empty { filtered: counts.total > 0 || filtering }
        } else {
            Shown::Table
        };
        let mut fresh: Vec<LiveRow> = apps
            .into_iter()
            .map(|app| {
                let known = tasks.remove(&app.id);
                LiveRow::new(app, known.as_deref(), as_of_ms)
            })
            .collect();
        let at: BTreeMap<String, usize> =
            fresh.iter().enumerate().map(|(i, row)| (row.app_id().to_owned(), i)).collect();
        untrack(|| {
            self.live.with_task_feed(|feed| {
                for event in feed.since(0) {
                    if let Some(&i) = at.get(&event.app_id) {
                        fresh[i].apply(event);
                    }
                }
                self.mark.set_value(feed.end());
            })
        });
        self.set_apps(fresh);
        self.set_groups(groups);
        self.pager.maybe_update(|p| replace(p, Pager { page, pages, matching }));
        shown
    }

    fn set_apps(&self, fresh: Vec<LiveRow>) {
        let mut old: BTreeMap<String, ArcRwSignal<LiveRow>> =
            self.apps.with_untracked(|rows| rows.iter().map(|r| (r.id.clone(), r.row.clone())).collect());
        let rows: Vec<AppRowState> = fresh
            .into_iter()
            .map(|live| {
                let id = live.app_id().to_owned();
                match old.remove(&id) {
                    Some(row) => {
                        // Stored silently when it shows the same: the
                        // row's cells run again only when a value differs.
                        if row.with_untracked(|r| r.summary == live.summary) {
                            row.update_untracked(|r| *r = live);
                        } else {
                            row.set(live);
                        }
                        AppRowState { id, row }
                    }
                    None => AppRowState { id, row: ArcRwSignal::new(live) },
                }
            })
            .collect();
        self.apps.maybe_update(|cur| {
            let same = cur.len() == rows.len() && cur.iter().zip(&rows).all(|(a, b)| a.id == b.id);
            if !same {
                *cur = rows;
            }
            !same
        });
    }

    fn set_groups(&self, fresh: Vec<GroupRow>) {
        let mut old: BTreeMap<String, ArcRwSignal<GroupRow>> =
            self.groups.with_untracked(|rows| rows.iter().map(|r| (r.id.clone(), r.group.clone())).collect());
        let rows: Vec<GroupRowState> = fresh
            .into_iter()
            .map(|group| {
                let id = group.id.clone();
                match old.remove(&id) {
                    Some(state) => {
                        state.maybe_update(|g| replace(g, group));
                        GroupRowState { id, group: state }
                    }
                    None => GroupRowState { id, group: ArcRwSignal::new(group) },
                }
            })
            .collect();
        self.groups.maybe_update(|cur| {
            let same = cur.len() == rows.len() && cur.iter().zip(&rows).all(|(a, b)| a.id == b.id);
            if !same {
                *cur = rows;
            }
            !same
        });
    }

    /// Applies each task event that arrives to its app's row (an effect:
    /// in the browser only; the server renders the snapshot).
    pub fn follow(self) {
        Effect::new(move |_| {
            self.live.with_task_feed(|feed| {
                let from = self.mark.get_value();
                self.apps.with_untracked(|rows| {
                    for event in feed.since(from) {
                        if let Some(state) = rows.iter().find(|r| r.id == event.app_id) {
                            state.row.maybe_update(|r| r.apply(event));
                        }
                    }
                });
                self.mark.set_value(feed.end());
            })
        });
    }
}

/// Puts `new` in `slot` if it differs; whether it did.
fn replace<T: PartialEq>(slot: &mut T, new: T) -> bool {
    let changed = *slot != new;
    if changed {
        *slot = new;
    }
    changed
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use leptos::prelude::*;

    use super::{ServiceRows, Shown};
    use crate::api::apps::{AppSummary, TaskCounts};
    use crate::api::services_query::{ServiceQuery, ServicesPage, SortKey};
    use crate::api::status::AppStatus;
    use crate::live::use_live;

    fn app(id: &str, instances: u32) -> AppSummary {
        AppSummary {
            id: id.into(),
            status: AppStatus::Running,
            instances,
            tasks: TaskCounts { running: instances, ..TaskCounts::default() },
            cpus: 0.5,
            mem: 64.0,
            disk: 0.0,
            image: None,
            labels: BTreeMap::new(),
            version: "2026-01-01T00:00:00.000Z".into(),
            has_health_checks: false,
            last_failure: None,
        }
    }

    fn snapshot(apps: Vec<AppSummary>, descending: bool) -> ServicesPage {
        let query = ServiceQuery { sort: SortKey::Instances, descending, ..ServiceQuery::default() };
        ServicesPage::build(apps, &query)
    }

    fn ids(rows: &ServiceRows) -> Vec<String> {
        rows.apps.with_untracked(|r| r.iter().map(|a| a.id.clone()).collect())
    }

    #[test]
    fn a_snapshot_keeps_the_rows_it_still_has_and_updates_them_in_place() {
        Owner::new().with(|| {
            let rows = ServiceRows::new(use_live());
            assert_eq!(rows.show(snapshot(vec![app("/a", 1), app("/b", 2)], false), false), Shown::Table);
            let before = rows.apps.get_untracked();
            rows.show(snapshot(vec![app("/b", 5), app("/c", 1)], false), false);
            let after = rows.apps.get_untracked();
            assert_eq!(ids(&rows), ["/c", "/b"]);
            assert!(after[1].row == before[1].row, "/b keeps its row");
            assert_eq!(after[1].row.with_untracked(|r| r.summary.instances), 5);
            assert_eq!(rows.pager().get_untracked().matching, 2);
        });
    }

    #[test]
    fn a_new_order_moves_the_rows_without_replacing_them() {
        Owner::new().with(|| {
            let rows = ServiceRows::new(use_live());
            rows.show(snapshot(vec![app("/a", 1), app("/b", 2)], false), false);
            let before = rows.apps.get_untracked();
            rows.show(snapshot(vec![app("/a", 1), app("/b", 2)], true), false);
            let after = rows.apps.get_untracked();
            assert_eq!(ids(&rows), ["/b", "/a"]);
            assert!(after[0].row == before[1].row && after[1].row == before[0].row);
        });
    }

    #[test]
    fn an_empty_snapshot_says_whether_a_filter_hides_apps() {
        Owner::new().with(|| {
            let rows = ServiceRows::new(use_live());
            assert_eq!(rows.show(snapshot(Vec::new(), false), false), Shown::Empty { filtered: false });
            assert_eq!(rows.show(snapshot(Vec::new(), false), true), Shown::Empty { filtered: true });
            assert!(ids(&rows).is_empty());
        });
    }
}

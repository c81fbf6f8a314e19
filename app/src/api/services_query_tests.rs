//! Tests of the services table's query: folders, filters, order and pages.

use std::collections::BTreeMap;

use super::{parent_of, ServiceQuery, ServicesPage, SortKey, TextFilter, PAGE_SIZE};
use crate::api::apps::{AppSummary, TaskCounts};
use crate::api::status::AppStatus;

fn app(id: &str, status: AppStatus, instances: u32, cpus: f64) -> AppSummary {
    AppSummary {
        id: id.into(),
        status,
        instances,
        tasks: TaskCounts { running: instances, ..TaskCounts::default() },
        cpus,
        mem: 64.0,
        disk: 0.0,
        image: None,
        labels: BTreeMap::from([("team".to_string(), "blue".to_string())]),
        version: "2024-01-01T00:00:00.000Z".into(),
        has_health_checks: false,
        last_failure: None,
    }
}

fn labelled(mut app: AppSummary, labels: &[(&str, &str)]) -> AppSummary {
    app.labels = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    app
}

fn sample() -> Vec<AppSummary> {
    vec![
        labelled(app("/web", AppStatus::Running, 2, 0.5), &[("team", "blue"), ("tier", "web")]),
        labelled(app("/db", AppStatus::Waiting, 1, 2.0), &[("team", "blue"), ("tier", "data")]),
        app("/prod/api", AppStatus::Running, 3, 1.0),
        app("/prod/cache/redis", AppStatus::Suspended, 0, 1.0),
        app("/production", AppStatus::Deploying, 1, 1.0),
    ]
}

fn ids(page: &ServicesPage) -> Vec<&str> {
    page.apps.iter().map(|a| a.id.as_str()).collect()
}

#[test]
fn root_lists_direct_apps_and_folders_with_totals() {
    let page = ServicesPage::build(sample(), &ServiceQuery::default());
    assert_eq!(ids(&page), ["/db", "/production", "/web"]);
    assert_eq!(page.groups.len(), 1);
    let prod = &page.groups[0];
    assert_eq!((prod.id.as_str(), prod.apps, prod.instances), ("/prod", 2, 3));
    assert!((prod.cpus - 3.0).abs() < 1e-9);
    assert_eq!(page.counts.total, 5);
}

#[test]
fn a_group_does_not_claim_apps_that_only_share_its_prefix() {
    let query = ServiceQuery { group: "/prod/".into(), ..ServiceQuery::default() };
    let page = ServicesPage::build(sample(), &query);
    assert_eq!(ids(&page), ["/prod/api"]);
    assert_eq!(page.groups.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(), ["/prod/cache"]);
    assert_eq!(page.counts.total, 2, "/production is not below /prod");
}

#[test]
fn filters_search_the_whole_subtree_flat() {
    let cases: [(&str, Option<AppStatus>, &[&str]); 4] = [
        ("redis", None, &["/prod/cache/redis"]),
        ("PROD", None, &["/prod/api", "/prod/cache/redis", "/production"]),
        ("", Some(AppStatus::Running), &["/prod/api", "/web"]),
        ("team=blue", Some(AppStatus::Waiting), &["/db"]),
    ];
    for (text, status, want) in cases {
        let query = ServiceQuery { text: text.into(), status, ..ServiceQuery::default() };
        let page = ServicesPage::build(sample(), &query);
        assert_eq!(ids(&page), want, "text {text:?} status {status:?}");
        assert!(page.groups.is_empty());
    }
}

#[test]
fn label_selectors_match_exact_pairs_and_combine_with_words() {
    let cases: [(&str, &[&str]); 7] = [
        ("label:tier=web", &["/web"]),
        ("label:tier", &["/db", "/web"]),
        ("label:tier=WEB", &[]),
        ("label:tier=data db", &["/db"]),
        ("label:tier=data web", &[]),
        ("label:team=blue label:tier=web", &["/web"]),
        ("label:", &["/db", "/prod/api", "/prod/cache/redis", "/production", "/web"]),
    ];
    for (text, want) in cases {
        let query = ServiceQuery { text: text.into(), ..ServiceQuery::default() };
        assert_eq!(ids(&ServicesPage::build(sample(), &query)), want, "text {text:?}");
    }
}

#[test]
fn the_page_lists_distinct_labels_and_the_selector_toggles_terms() {
    let page = ServicesPage::build(sample(), &ServiceQuery::default());
    let pairs: Vec<String> = page.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    assert_eq!(pairs, ["team=blue", "tier=data", "tier=web"]);
    assert_eq!(TextFilter::toggle_label("api", "tier", "web"), "api label:tier=web");
    assert_eq!(TextFilter::toggle_label("api  label:tier=web", "tier", "web"), "api");
    assert_eq!(
        TextFilter::parse("Api label:a=b=c label:k"),
        TextFilter {
            words: vec!["api".into()],
            labels: vec![("a".into(), Some("b=c".into())), ("k".into(), None)]
        }
    );
}

#[test]
fn sorting_by_total_cpus_descending_breaks_ties_by_id() {
    let query =
        ServiceQuery { text: "/".into(), sort: SortKey::Cpus, descending: true, ..ServiceQuery::default() };
    let page = ServicesPage::build(sample(), &query);
    assert_eq!(ids(&page), ["/prod/api", "/db", "/web", "/production", "/prod/cache/redis"]);
}

#[test]
fn pages_are_cut_and_an_out_of_range_page_is_clamped() {
    let many: Vec<AppSummary> =
        (0..(PAGE_SIZE * 2 + 5)).map(|i| app(&format!("/app-{i:04}"), AppStatus::Running, 1, 0.1)).collect();
    let query = ServiceQuery { page: 99, ..ServiceQuery::default() };
    let page = ServicesPage::build(many, &query);
    assert_eq!((page.page, page.pages, page.matching, page.apps.len()), (2, 3, PAGE_SIZE * 2 + 5, 5));
}

#[test]
fn parent_of_app_ids() {
    for (id, want) in [("/a", "/"), ("/a/b", "/a"), ("/a/b/c", "/a/b"), ("a", "/")] {
        assert_eq!(parent_of(id), want, "{id}");
    }
}

#[test]
fn a_page_survives_the_compact_codec_of_its_resource() {
    use leptos::server::codee::{Decoder, Encoder};

    use crate::api::resource::Compact;

    let mut apps = sample();
    apps[0].image = Some("python:3.12".into());
    apps[0].last_failure = Some(crate::api::apps::TaskFailure {
        task_id: "web.instance-1._app.1".into(),
        state: "TASK_FAILED".into(),
        message: "exited with 1 — «stderr»".into(),
        host: "agent-1".into(),
        timestamp: "2024-01-01T00:00:00.000Z".into(),
        age_seconds: 42,
        version: "2024-01-01T00:00:00.000Z".into(),
    });
    let query = ServiceQuery { text: "label:team=blue".into(), ..ServiceQuery::default() };
    for query in [ServiceQuery::default(), query] {
        let page = ServicesPage::build(apps.clone(), &query);
        let bytes = <Compact as Encoder<ServicesPage>>::encode(&page).expect("encodes");
        let back: ServicesPage = <Compact as Decoder<ServicesPage>>::decode(&bytes).expect("decodes");
        assert_eq!(back, page);
        assert!(bytes.len() < serde_json::to_vec(&page).expect("json").len());
    }
}

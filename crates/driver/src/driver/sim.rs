//! A deterministic simulated cluster for scenario tests of the driver's
//! real decision code.
//!
//! [`Sim`] owns a [`Core`] and plays the Mesos master, the agents and the
//! health checkers around it on a virtual clock: each [`Sim::step`]
//! advances time, delivers due status updates (STAGING → RUNNING after a
//! launch latency, TASK_KILLED after a KILL, TASK_FAILED for crashing
//! apps), produces health verdicts on each app's check interval from a
//! scripted [`HealthScript`], syncs the [`InMemoryTarget`], runs the
//! core's housekeeping and tick exactly as the run loop does, and offers
//! every agent's free resources. Everything the core decides (ACCEPT,
//! KILL, progress, health-checker start/stop) is carried out here instead
//! of over the network. Agents hold cpus, mem and a port range; a task
//! holds what the matcher allocated until it is terminal. Instance ids
//! count up instead of being random; no threads, no wall clock: a
//! scenario replays identically.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use dromos_mesos::v1::{self, CallBody};
use dromos_model::{parse_app, AppDefinition, HealthCheckProtocol};
use dromos_scheduler::{Goal, Instance, OfferedAmount, ScalarKind, Timestamp};
use serde_json::{json, Value};

use super::core::Core;
use super::effects::Effects;
use crate::config::DriverConfig;
use crate::health::HealthResult;
use crate::readiness::{ReadinessResult, ReadinessTarget};
use crate::target::Target;
use crate::testing::InMemoryTarget;

/// Milliseconds between a LAUNCH and TASK_RUNNING.
pub const LAUNCH_LATENCY_MS: u64 = 2_000;
/// Milliseconds between a KILL and TASK_KILLED.
pub const KILL_LATENCY_MS: u64 = 1_000;

/// How an app's health checks answer, per instance and time.
pub type HealthScript = Box<dyn Fn(&str, Timestamp) -> bool>;

/// One simulated agent.
#[derive(Debug, Clone)]
pub struct SimAgent {
    /// Mesos agent id.
    pub id: String,
    /// Hostname.
    pub hostname: String,
    /// Total cpus.
    pub cpus: f64,
    /// Total mem (MiB).
    pub mem: f64,
    /// Inclusive port range.
    pub ports: (u64, u64),
}

/// What a launched task holds and does.
#[derive(Debug, Clone)]
struct SimTask {
    instance_id: String,
    app_id: String,
    agent: usize,
    cpus: f64,
    mem: f64,
    ports: Vec<u64>,
    terminal: bool,
}

/// The simulated cluster around a real [`Core`].
pub struct Sim {
    /// Virtual time.
    pub now: Timestamp,
    /// The driver state under test.
    pub core: Core,
    /// The service side (apps, deployments, reports).
    pub target: InMemoryTarget,
    /// The agents.
    pub agents: Vec<SimAgent>,
    tasks: BTreeMap<String, SimTask>,
    updates: VecDeque<(Timestamp, v1::TaskStatus)>,
    /// Instances whose driver-side checks run, with their next check time.
    pub checked: BTreeMap<String, Timestamp>,
    /// App id → how its checks answer (default: healthy).
    health: BTreeMap<String, HealthScript>,
    /// App id → its tasks fail this long after running.
    crash_after_ms: BTreeMap<String, u64>,
    /// Instances whose readiness checks run: next probe, first probe, target.
    ready_checked: BTreeMap<String, (Timestamp, Timestamp, ReadinessTarget)>,
    /// App id → readiness passes this long after the first probe (default 0).
    ready_after_ms: BTreeMap<String, u64>,
    /// When each instance first passed its readiness check.
    pub ready_at: BTreeMap<String, Timestamp>,
    /// Instances whose executor-side (COMMAND) checks run: next check.
    executor_checked: BTreeMap<String, Timestamp>,
    offer_seq: u64,
    /// Every KILL sent: (time, task id).
    pub kills: Vec<(Timestamp, String)>,
    /// Every task launched: (time, app id, version).
    pub launches: Vec<(Timestamp, String, String)>,
}

impl Sim {
    /// A cluster of `agents`, the driver connected to it, at a fixed start.
    pub fn new(agents: Vec<SimAgent>, config: DriverConfig) -> Self {
        let now = Timestamp::from_secs(1_700_000_000);
        let mut core = Core::new(config, Vec::new(), now);
        core.connected = true;
        core.sequential_ids = Some(std::cell::Cell::new(0));
        Self {
            now,
            core,
            target: InMemoryTarget::new(),
            agents,
            tasks: BTreeMap::new(),
            updates: VecDeque::new(),
            checked: BTreeMap::new(),
            health: BTreeMap::new(),
            crash_after_ms: BTreeMap::new(),
            ready_checked: BTreeMap::new(),
            ready_after_ms: BTreeMap::new(),
            ready_at: BTreeMap::new(),
            executor_checked: BTreeMap::new(),
            offer_seq: 0,
            kills: Vec::new(),
            launches: Vec::new(),
        }
    }

    /// `n` agents `agent-i` / `host-i`, each with `cpus`, `mem` and 100 ports.
    pub fn uniform_agents(n: usize, cpus: f64, mem: f64) -> Vec<SimAgent> {
        (0..n)
            .map(|i| {
                let base = 31_000 + 100 * i as u64;
                SimAgent {
                    id: format!("agent-{i}"),
                    hostname: format!("host-{i}"),
                    cpus,
                    mem,
                    ports: (base, base + 99),
                }
            })
            .collect()
    }

    /// Scripts an app's health-check answers.
    pub fn script_health(&mut self, app_id: &str, script: HealthScript) {
        self.health.insert(app_id.to_owned(), script);
    }

    /// Makes every task of `app_id` fail `ms` after it runs.
    pub fn crash_after(&mut self, app_id: &str, ms: u64) {
        self.crash_after_ms.insert(app_id.to_owned(), ms);
    }

    /// Makes `app_id`'s readiness checks pass only `ms` after their first
    /// probe.
    pub fn ready_after(&mut self, app_id: &str, ms: u64) {
        self.ready_after_ms.insert(app_id.to_owned(), ms);
    }

    /// Stops crashing `app_id`'s tasks.
    pub fn stop_crashing(&mut self, app_id: &str) {
        self.crash_after_ms.remove(app_id);
    }

    /// Deploys `apps` (the whole set) as the service would.
    pub fn deploy(&mut self, apps: Vec<AppDefinition>) -> Option<String> {
        self.target.deploy(apps).ok().flatten()
    }

    /// The core's instances of `app_id`.
    pub fn instances(&self, app_id: &str) -> Vec<Instance> {
        self.core.tracker.of_run_spec(app_id).cloned().collect()
    }

    /// Deployments not finished.
    pub fn deployments_left(&self) -> usize {
        self.target.state().deployments.len()
    }

    /// Runs steps of `dt_ms` until `done` holds (checking `invariant` after
    /// every step) or `max_ms` of virtual time pass; returns whether `done`
    /// held.
    pub fn run_until(
        &mut self,
        dt_ms: u64,
        max_ms: u64,
        mut invariant: impl FnMut(&Sim),
        done: impl Fn(&Sim) -> bool,
    ) -> bool {
        let end = self.now.plus_millis(max_ms);
        while self.now < end {
            self.step(dt_ms);
            invariant(self);
            if done(self) {
                return true;
            }
        }
        false
    }

    /// One turn: time passes by `dt_ms`, inputs are delivered and the
    /// core's decisions carried out.
    pub fn step(&mut self, dt_ms: u64) {
        self.now = self.now.plus_millis(dt_ms);
        let now = self.now;
        let mut fx = Effects::default();
        self.core.sync_target(self.target.snapshot());
        while self.updates.front().is_some_and(|(at, _)| *at <= now) {
            if let Some((_, status)) = self.updates.pop_front() {
                self.apply_terminal(&status);
                self.core.apply_status(&status, now, &mut fx);
            }
        }
        self.crash_due();
        self.check_health(&mut fx);
        self.check_readiness();
        self.executor_checks();
        self.core.housekeeping(now, &mut fx);
        self.core.tick(now, &mut fx);
        self.carry_out(fx);
        self.offer();
    }

    fn crash_due(&mut self) {
        let now = self.now;
        let crashing: Vec<String> = self
            .core
            .tracker
            .iter()
            .filter(|i| i.goal == Goal::Running && i.condition == dromos_scheduler::Condition::Running)
            .filter(|i| {
                let after = self.crash_after_ms.get(&i.run_spec_id);
                after.is_some_and(|ms| i.running_since.is_some_and(|t| now.millis_since(t) >= *ms))
            })
            .filter_map(|i| self.core.tasks.get(&i.id).map(|m| m.task_id.clone()))
            .collect();
        for task_id in crashing {
            if self.updates.iter().any(|(_, s)| s.task_id.value == task_id) {
                continue;
            }
            self.push_update(now, &task_id, "TASK_FAILED");
        }
    }

    fn check_health(&mut self, fx: &mut Effects) {
        let now = self.now;
        let due: Vec<String> =
            self.checked.iter().filter(|(_, t)| **t <= now).map(|(id, _)| id.clone()).collect();
        for instance_id in due {
            let Some(instance) = self.core.tracker.get(&instance_id) else {
                self.checked.remove(&instance_id);
                continue;
            };
            let app_id = instance.run_spec_id.clone();
            let interval = self
                .core
                .apps
                .get(&app_id)
                .and_then(|a| a.health_checks.first().map(|c| c.interval_seconds))
                .unwrap_or(10);
            let healthy = self.health.get(&app_id).is_none_or(|script| script(&instance_id, now));
            self.checked.insert(instance_id.clone(), now.plus_millis(interval as u64 * 1000));
            let cause = (!healthy).then(|| "scripted failure".to_owned());
            self.core.apply_health(&HealthResult { instance_id, healthy, cause }, now, fx);
        }
    }

    /// Plays the executor for COMMAND checks: every `intervalSeconds` a
    /// running task gets a TASK_RUNNING update with `healthy` set.
    fn executor_checks(&mut self) {
        let now = self.now;
        let mut updates = Vec::new();
        for instance in
            self.core.tracker.iter().filter(|i| i.condition == dromos_scheduler::Condition::Running)
        {
            let check = self.core.apps.get(&instance.run_spec_id).and_then(|a| a.health_checks.first());
            let Some(check) = check.filter(|c| c.protocol == HealthCheckProtocol::Command) else { continue };
            let next = self.executor_checked.entry(instance.id.clone()).or_insert(now);
            if *next > now {
                continue;
            }
            *next = now.plus_millis(u64::try_from(check.interval_seconds.max(1)).unwrap_or(1) * 1000);
            let healthy =
                self.health.get(&instance.run_spec_id).is_none_or(|script| script(&instance.id, now));
            if let Some(meta) = self.core.tasks.get(&instance.id) {
                updates.push((meta.task_id.clone(), healthy));
            }
        }
        self.executor_checked.retain(|id, _| self.core.tracker.get(id).is_some());
        for (task_id, healthy) in updates {
            self.push_status(now, &task_id, "TASK_RUNNING", Some(healthy));
        }
    }

    fn check_readiness(&mut self) {
        let now = self.now;
        let due: Vec<String> =
            self.ready_checked.iter().filter(|(_, (t, _, _))| *t <= now).map(|(id, _)| id.clone()).collect();
        for instance_id in due {
            let Some((_, first, target)) = self.ready_checked.remove(&instance_id) else { continue };
            let app_id =
                self.core.tracker.get(&instance_id).map(|i| i.run_spec_id.clone()).unwrap_or_default();
            let after = self.ready_after_ms.get(&app_id).copied().unwrap_or(0);
            let ready = now.millis_since(first) >= after;
            let result = ReadinessResult {
                name: target.check.name.clone(),
                instance_id: instance_id.clone(),
                task_id: target.task_id.clone(),
                ready,
                last_response: None,
                cause: (!ready).then(|| "HTTP status 503".to_owned()),
            };
            self.core.apply_readiness(result, now);
            if ready {
                self.ready_at.insert(instance_id, now);
            } else {
                let interval = u64::try_from(target.check.interval_seconds.max(1)).unwrap_or(1) * 1000;
                self.ready_checked.insert(instance_id, (now.plus_millis(interval), first, target));
            }
        }
    }

    fn carry_out(&mut self, fx: Effects) {
        let now = self.now;
        for call in fx.calls {
            if let CallBody::Kill(kill) = call {
                let task_id = kill.task_id.value;
                self.kills.push((now, task_id.clone()));
                let live = self.tasks.get(&task_id).is_some_and(|t| !t.terminal);
                let queued = self.updates.iter().any(|(_, s)| s.task_id.value == task_id);
                if live && !queued {
                    self.push_update(now.plus_millis(KILL_LATENCY_MS), &task_id, "TASK_KILLED");
                }
            }
        }
        for id in fx.stop_health {
            self.checked.remove(&id);
            self.ready_checked.remove(&id);
        }
        for id in fx.stop_readiness {
            self.ready_checked.remove(&id);
        }
        for target in fx.start_readiness {
            self.ready_checked.insert(target.instance_id.clone(), (now, now, target));
        }
        for instance in fx.start_health {
            self.checked.insert(instance.instance_id, now);
        }
        for failure in fx.failures {
            self.target.report_task_failure(failure);
        }
        for last in fx.gone {
            self.target.report_instance_gone(last);
        }
        for progress in fx.progress {
            self.target.report_deployment_progress(progress);
        }
        for timeout in fx.timeouts {
            self.target.report_deployment_timeout(timeout);
        }
    }

    /// Offers every agent's free resources and carries out the launches.
    fn offer(&mut self) {
        if self.core.suppressed {
            return;
        }
        let offers: Vec<v1::Offer> = (0..self.agents.len()).filter_map(|i| self.free_offer(i)).collect();
        if offers.is_empty() {
            return;
        }
        let plan = self.core.plan_offers(&offers, self.now);
        for (offer_id, launches) in plan.accepts {
            let agent = offers
                .iter()
                .find(|o| o.id.value == offer_id)
                .and_then(|o| self.agents.iter().position(|a| a.id == o.agent_id.value));
            let Some(agent) = agent else { continue };
            for pending in &launches {
                let mut task = SimTask {
                    instance_id: pending.intent.instance_id.clone(),
                    app_id: pending.intent.app_id.clone(),
                    agent,
                    cpus: 0.0,
                    mem: 0.0,
                    ports: Vec::new(),
                    terminal: false,
                };
                for resource in &pending.launch.resources {
                    match &resource.amount {
                        OfferedAmount::Scalar(ScalarKind::Cpus, v) => task.cpus += v,
                        OfferedAmount::Scalar(ScalarKind::Mem, v) => task.mem += v,
                        OfferedAmount::Scalar(..) => {}
                        OfferedAmount::Ports(ranges) => {
                            for r in ranges {
                                task.ports.extend(u64::from(r.begin)..=u64::from(r.end));
                            }
                        }
                    }
                }
                self.launches.push((self.now, pending.intent.app_id.clone(), pending.intent.version.clone()));
                let task_id = pending.intent.task_id.clone();
                self.tasks.insert(task_id.clone(), task);
                self.push_update(self.now.plus_millis(LAUNCH_LATENCY_MS), &task_id, "TASK_RUNNING");
            }
            let _accept = self.core.commit_launches(&offer_id, launches, self.now);
        }
        let mut fx = Effects::default();
        self.core.tick(self.now, &mut fx);
        self.carry_out(fx);
    }

    /// An offer of what agent `i` has free, or `None` when it is full.
    fn free_offer(&mut self, i: usize) -> Option<v1::Offer> {
        let agent = &self.agents[i];
        let live = || self.tasks.values().filter(|t| t.agent == i && !t.terminal);
        let cpus = agent.cpus - live().map(|t| t.cpus).sum::<f64>();
        let mem = agent.mem - live().map(|t| t.mem).sum::<f64>();
        let used: BTreeSet<u64> = live().flat_map(|t| t.ports.iter().copied()).collect();
        if cpus < 0.001 || mem < 0.001 {
            return None;
        }
        let mut ranges: Vec<Value> = Vec::new();
        let mut start: Option<u64> = None;
        for port in agent.ports.0..=agent.ports.1 + 1 {
            let free = port <= agent.ports.1 && !used.contains(&port);
            match (free, start) {
                (true, None) => start = Some(port),
                (false, Some(begin)) => {
                    ranges.push(json!({"begin": begin, "end": port - 1}));
                    start = None;
                }
                _ => {}
            }
        }
        self.offer_seq += 1;
        let mut resources = vec![
            json!({"name": "cpus", "type": "SCALAR", "scalar": {"value": cpus}, "role": "*"}),
            json!({"name": "mem", "type": "SCALAR", "scalar": {"value": mem}, "role": "*"}),
            json!({"name": "disk", "type": "SCALAR", "scalar": {"value": 10_000.0}, "role": "*"}),
        ];
        if !ranges.is_empty() {
            resources
                .push(json!({"name": "ports", "type": "RANGES", "ranges": {"range": ranges}, "role": "*"}));
        }
        let offer = json!({
            "id": {"value": format!("offer-{}", self.offer_seq)},
            "framework_id": {"value": "sim"},
            "agent_id": {"value": agent.id},
            "hostname": agent.hostname,
            "resources": resources,
        });
        serde_json::from_value(offer).ok()
    }

    fn push_update(&mut self, at: Timestamp, task_id: &str, state: &str) {
        self.push_status(at, task_id, state, None);
    }

    fn push_status(&mut self, at: Timestamp, task_id: &str, state: &str, healthy: Option<bool>) {
        let agent = self.tasks.get(task_id).map(|t| self.agents[t.agent].id.clone()).unwrap_or_default();
        let mut status = json!({"task_id": {"value": task_id}, "state": state, "agent_id": {"value": agent}});
        if let Some(healthy) = healthy {
            status["healthy"] = json!(healthy);
        }
        if let Ok(status) = serde_json::from_value::<v1::TaskStatus>(status) {
            let index = self.updates.partition_point(|(t, _)| *t <= at);
            self.updates.insert(index, (at, status));
        }
    }

    /// Frees the resources of a task that just ended.
    fn apply_terminal(&mut self, status: &v1::TaskStatus) {
        if status.state.is_terminal() {
            if let Some(task) = self.tasks.get_mut(&status.task_id.value) {
                task.terminal = true;
            }
        }
    }

    /// Instance ids of live tasks by agent hostname (what really runs).
    pub fn running_by_host(&self, app_id: &str) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for task in self.tasks.values().filter(|t| !t.terminal && t.app_id == app_id) {
            out.entry(self.agents[task.agent].hostname.clone()).or_default().push(task.instance_id.clone());
        }
        out
    }
}

/// An app from JSON, stamped with `version`.
pub fn app(json: &str, version: &str) -> AppDefinition {
    let mut app = parse_app(json.as_bytes()).unwrap_or_else(|e| panic!("invalid app {json}: {e:?}"));
    app.version = dromos_model::Timestamp::parse(version);
    app
}

//! One realistic example of every call dromos sends, built with the crate's types.

use dromos_mesos::v1::{
    Accept, Acknowledge, AgentId, Bytes, Call, CallBody, CommandInfo, CommandUri, ContainerInfo,
    ContainerType, Decline, DiscoveryInfo, DockerNetwork, DurationInfo, Environment, ExecutorId,
    ExecutorInfo, ExecutorMessage, ExecutorType, Filters, FrameworkCapability, FrameworkCapabilityType,
    FrameworkId, FrameworkInfo, HealthCheck, HealthCheckType, HttpCheck, InverseOfferIds, Kill, KillPolicy,
    Label, Labels, MesosInfo, NetworkInfo, OfferId, Operation, Parameter, Port, PortMapping, Ports, Range,
    Reconcile, ReconcileTask, Request, Resource, ResourceRequest, Revive, Shutdown, Suppress, TaskGroupInfo,
    TaskId, TaskInfo, TcpCheck, Visibility, Volume, VolumeMode,
};

fn fid() -> FrameworkId {
    FrameworkId::new("5b9e8d3a-7c1f-4b7e-9a55-0a6a1d2f3e4b-0000")
}

fn agent() -> AgentId {
    AgentId::new("5b9e8d3a-7c1f-4b7e-9a55-0a6a1d2f3e4b-S3")
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    Labels {
        labels: pairs.iter().map(|(k, v)| Label { key: (*k).into(), value: Some((*v).into()) }).collect(),
    }
}

fn framework_info(id: Option<FrameworkId>) -> FrameworkInfo {
    let capabilities = [
        FrameworkCapabilityType::MultiRole,
        FrameworkCapabilityType::PartitionAware,
        FrameworkCapabilityType::TaskKillingState,
        FrameworkCapabilityType::RegionAware,
    ];
    FrameworkInfo {
        id,
        failover_timeout: Some(604_800.0),
        checkpoint: Some(true),
        roles: vec!["*".into(), "web".into()],
        hostname: Some("dromos-1.example".into()),
        principal: Some("dromos".into()),
        webui_url: Some("http://dromos-1.example:8080".into()),
        capabilities: capabilities.into_iter().map(|kind| FrameworkCapability { kind }).collect(),
        labels: Some(labels(&[("owner", "platform")])),
        ..FrameworkInfo::new("root", "dromos")
    }
}

/// A Docker task in bridge mode with every TaskInfo part dromos fills in.
pub fn docker_task() -> TaskInfo {
    let mut container = ContainerInfo::docker("nginx:1.25");
    if let Some(docker) = container.docker.as_mut() {
        docker.network = Some(DockerNetwork::Bridge);
        docker.port_mappings =
            vec![PortMapping { host_port: 31005, container_port: 80, protocol: Some("tcp".into()) }];
        docker.privileged = Some(false);
        docker.parameters = vec![Parameter { key: "label".into(), value: "team=web".into() }];
        docker.force_pull_image = Some(false);
    }
    container.volumes = vec![Volume {
        mode: VolumeMode::Ro,
        container_path: "/etc/nginx/conf.d".into(),
        host_path: Some("/srv/nginx".into()),
    }];
    let command = CommandInfo {
        uris: vec![CommandUri {
            value: "https://artifacts.example/site.tgz".into(),
            executable: Some(false),
            extract: Some(true),
            cache: Some(false),
            output_file: None,
        }],
        environment: Some(Environment::from_pairs([("PORT0", "31005"), ("MARATHON_APP_ID", "/web")])),
        shell: Some(false),
        user: Some("nobody".into()),
        ..CommandInfo::default()
    };
    TaskInfo {
        resources: vec![
            Resource::scalar("cpus", 0.5).allocated_to("web"),
            Resource::scalar("mem", 256.0).allocated_to("web"),
            Resource::ranges("ports", vec![Range { begin: 31005, end: 31005 }]).allocated_to("web"),
        ],
        container: Some(container),
        health_check: Some(HealthCheck {
            kind: HealthCheckType::Http,
            http: Some(HttpCheck {
                port: 31005,
                scheme: Some("http".into()),
                path: Some("/".into()),
                statuses: vec![200],
                protocol: None,
            }),
            tcp: None,
            command: None,
            delay_seconds: Some(15.0),
            interval_seconds: Some(10.0),
            timeout_seconds: Some(20.0),
            consecutive_failures: Some(3),
            grace_period_seconds: Some(300.0),
        }),
        kill_policy: Some(KillPolicy { grace_period: Some(DurationInfo { nanoseconds: 5_000_000_000 }) }),
        data: Some(Bytes(b"opaque".to_vec())),
        labels: Some(labels(&[("app", "/web")])),
        discovery: Some(DiscoveryInfo {
            visibility: Visibility::Framework,
            name: Some("web".into()),
            environment: None,
            location: None,
            version: Some("2026-11-25T22:00:00Z".into()),
            ports: Some(Ports {
                ports: vec![Port {
                    number: 31005,
                    name: Some("http".into()),
                    protocol: Some("tcp".into()),
                    visibility: None,
                    labels: None,
                }],
            }),
            labels: None,
        }),
        max_completion_time: None,
        ..TaskInfo::command("web", TaskId::new("web.6a1f"), agent(), command)
    }
}

fn pod_launch() -> Operation {
    let sidecar = TaskInfo {
        resources: vec![Resource::scalar("cpus", 0.1), Resource::scalar("mem", 32.0)],
        health_check: Some(HealthCheck {
            kind: HealthCheckType::Tcp,
            http: None,
            tcp: Some(TcpCheck { port: 8081, protocol: None }),
            command: None,
            delay_seconds: None,
            interval_seconds: None,
            timeout_seconds: None,
            consecutive_failures: None,
            grace_period_seconds: None,
        }),
        container: Some(ContainerInfo {
            kind: ContainerType::Mesos,
            volumes: Vec::new(),
            hostname: None,
            docker: None,
            mesos: Some(MesosInfo { image: None }),
            network_infos: vec![NetworkInfo { name: Some("dcos".into()), ..NetworkInfo::default() }],
        }),
        ..TaskInfo::command("sidecar", TaskId::new("pod.sidecar"), agent(), CommandInfo::shell("./sidecar"))
    };
    let executor = ExecutorInfo {
        kind: Some(ExecutorType::Default),
        executor_id: ExecutorId::new("pod.executor"),
        framework_id: Some(fid()),
        command: None,
        container: None,
        resources: vec![Resource::scalar("cpus", 0.1), Resource::scalar("mem", 32.0)],
        name: Some("pod".into()),
        shutdown_grace_period: None,
        labels: None,
    };
    Operation::launch_group(executor, TaskGroupInfo { tasks: vec![sidecar] })
}

/// Every call dromos sends, with a name for messages.
pub fn all() -> Vec<(&'static str, Call)> {
    let offer = || OfferId::new("5b9e8d3a-7c1f-4b7e-9a55-0a6a1d2f3e4b-O12");
    let filters = Some(Filters::refuse_seconds(5.0));
    let call = |body| Call::new(fid(), body);
    vec![
        ("first subscribe", Call::subscribe(framework_info(None), vec!["web".into()])),
        ("re-subscribe", Call::subscribe(framework_info(Some(fid())), vec![])),
        ("teardown", call(CallBody::Teardown)),
        (
            "accept launch",
            call(CallBody::Accept(Accept {
                offer_ids: vec![offer()],
                operations: vec![Operation::launch(vec![docker_task()])],
                filters,
            })),
        ),
        (
            "accept launch group",
            call(CallBody::Accept(Accept {
                offer_ids: vec![offer()],
                operations: vec![pod_launch()],
                filters,
            })),
        ),
        (
            "decline",
            call(CallBody::Decline(Decline {
                offer_ids: vec![offer()],
                filters: Some(Filters::refuse_seconds(3600.0)),
            })),
        ),
        (
            "accept inverse offers",
            call(CallBody::AcceptInverseOffers(InverseOfferIds {
                inverse_offer_ids: vec![offer()],
                filters,
            })),
        ),
        (
            "decline inverse offers",
            call(CallBody::DeclineInverseOffers(InverseOfferIds {
                inverse_offer_ids: vec![offer()],
                filters: None,
            })),
        ),
        ("revive", call(CallBody::Revive(Revive { roles: vec!["web".into()] }))),
        ("suppress", call(CallBody::Suppress(Suppress { roles: vec![] }))),
        (
            "kill",
            call(CallBody::Kill(Kill {
                task_id: TaskId::new("web.6a1f"),
                agent_id: Some(agent()),
                kill_policy: Some(KillPolicy {
                    grace_period: Some(DurationInfo { nanoseconds: 1_000_000_000 }),
                }),
            })),
        ),
        (
            "shutdown",
            call(CallBody::Shutdown(Shutdown {
                executor_id: ExecutorId::new("pod.executor"),
                agent_id: agent(),
            })),
        ),
        (
            "acknowledge",
            call(CallBody::Acknowledge(Acknowledge {
                agent_id: agent(),
                task_id: TaskId::new("web.6a1f"),
                uuid: Bytes(vec![0x1f; 16]),
            })),
        ),
        (
            "reconcile",
            call(CallBody::Reconcile(Reconcile {
                tasks: vec![ReconcileTask { task_id: TaskId::new("web.6a1f"), agent_id: Some(agent()) }],
            })),
        ),
        ("reconcile all", call(CallBody::Reconcile(Reconcile::default()))),
        (
            "message",
            call(CallBody::Message(ExecutorMessage {
                agent_id: agent(),
                executor_id: ExecutorId::new("pod.executor"),
                data: Bytes(b"ping".to_vec()),
            })),
        ),
        (
            "request",
            call(CallBody::Request(Request {
                requests: vec![ResourceRequest {
                    agent_id: None,
                    resources: vec![Resource::scalar("cpus", 1.0)],
                }],
            })),
        ),
    ]
}

/// Names the variant; a new `CallBody` variant fails to compile here until a
/// sample of it is added to `all`.
pub fn variant(body: &CallBody) -> &'static str {
    match body {
        CallBody::Subscribe(_) => "Subscribe",
        CallBody::Teardown => "Teardown",
        CallBody::Accept(_) => "Accept",
        CallBody::Decline(_) => "Decline",
        CallBody::AcceptInverseOffers(_) => "AcceptInverseOffers",
        CallBody::DeclineInverseOffers(_) => "DeclineInverseOffers",
        CallBody::Revive(_) => "Revive",
        CallBody::Kill(_) => "Kill",
        CallBody::Shutdown(_) => "Shutdown",
        CallBody::Acknowledge(_) => "Acknowledge",
        CallBody::Reconcile(_) => "Reconcile",
        CallBody::Message(_) => "Message",
        CallBody::Request(_) => "Request",
        CallBody::Suppress(_) => "Suppress",
    }
}

/// Number of `CallBody` variants (keep in step with `variant`).
pub const VARIANTS: usize = 14;

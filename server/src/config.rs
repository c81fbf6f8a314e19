//! The command line: one clap struct per command; every flag also reads a
//! `DROMOS_*` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// dromos keeps your services running: an init system for the datacenter,
/// with a Marathon-compatible REST API and a web console.
#[derive(Debug, Parser)]
#[command(name = "dromos", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Options of `serve`, the default command.
    #[command(flatten)]
    pub serve: ServeArgs,

    /// Options of the client commands (`app`, `group`, `deployment`, `task`).
    #[command(flatten)]
    pub client: dromos_cli::ClientArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the dromos server (the default when no command is given).
    Serve(ServeArgs),
    /// Talk to a running dromos over its REST API.
    #[command(flatten)]
    Client(dromos_cli::CliCommand),
}

/// Options of the server.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address the console, the REST API and the embedded master listen on.
    #[arg(long, env = "DROMOS_HTTP_ADDR", default_value = "127.0.0.1:8080")]
    pub http_addr: SocketAddr,

    /// Directory for dromos' state (SQLite store, task sandboxes).
    /// Default: $XDG_DATA_HOME/dromos, else ~/.local/share/dromos.
    #[arg(long, env = "DROMOS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// Where tasks run: `local` for the embedded single-machine cluster, or
    /// a Mesos master as `http://host:5050` or `zk://host:2181/mesos`.
    #[arg(long, env = "DROMOS_MASTER", default_value = "local")]
    pub master: String,

    /// Versions kept per app and of the root group; older ones are pruned
    /// (Marathon's `--zk_max_versions`).
    #[arg(long, env = "DROMOS_MAX_VERSIONS", default_value_t = 50, value_parser = clap::value_parser!(u16).range(1..))]
    pub max_versions: u16,

    /// With `--master local`: how many logical agents to split this machine
    /// into (each with its own hostname), to try placement constraints.
    #[arg(long, env = "DROMOS_LOCAL_AGENTS", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub local_agents: u16,

    /// With `--master local`: agent attributes in Mesos' `name:value;name:value`
    /// form, e.g. `rack:r1;zone:a`. A value with commas (`zone:a,b,c`) is
    /// spread round-robin over the logical agents.
    #[arg(long, env = "DROMOS_AGENT_ATTRIBUTES", default_value = "")]
    pub agent_attributes: String,

    /// With `--master local`: simulated tasks. A launched task runs no
    /// process: it is TASK_RUNNING at once and stays so until killed
    /// (COMMAND health checks pass; HTTP and TCP checks cannot). For demos
    /// and benchmarks of thousands of tasks on one machine.
    #[arg(long, env = "DROMOS_LOCAL_SIMULATE")]
    pub local_simulate: bool,

    /// With `--master local`: the machine's resources instead of the detected
    /// ones, in the form of Mesos' agent `--resources`, e.g.
    /// `cpus:2000;mem:2000000;disk:2000000;ports:[31000-61000]` (MB; the
    /// resources not named keep their detected value).
    #[arg(long, env = "DROMOS_LOCAL_RESOURCES", default_value = "")]
    pub local_resources: String,

    /// High availability: keep all state in ZooKeeper instead of SQLite and
    /// elect one leader among the dromos instances given the same URL,
    /// e.g. `zk://host1:2181,host2:2181/dromos`. Only the leader schedules;
    /// the others proxy the API to it.
    #[arg(long, env = "DROMOS_ZK")]
    pub zk: Option<String>,

    /// With `--zk`: the ZooKeeper session timeout in milliseconds. A leader
    /// that loses its session for this long is replaced (Marathon's
    /// `--zk_session_timeout`).
    #[arg(long, env = "DROMOS_ZK_SESSION_TIMEOUT", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1_000..=600_000))]
    pub zk_session_timeout: u64,

    /// `host:port` under which the other instances and clients reach this
    /// one (published in the election, used by followers to proxy).
    /// Default: the bound `--http-addr`.
    #[arg(long, env = "DROMOS_ADVERTISE_ADDR")]
    pub advertise_addr: Option<String>,

    /// Serve beyond loopback even though no users are configured (anyone
    /// who can reach dromos may then do anything). Without users and
    /// without this flag, dromos only listens on loopback addresses.
    #[arg(long, env = "DROMOS_INSECURE")]
    pub insecure: bool,

    /// Log line format; the level comes from RUST_LOG (default `info`).
    #[arg(long, env = "DROMOS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// How log lines are written to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable, one event per line.
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

impl ServeArgs {
    /// `--zk-session-timeout` as a duration.
    pub fn zk_session_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.zk_session_timeout)
    }

    /// The data directory, resolved against the platform default.
    pub fn resolved_data_dir(&self) -> PathBuf {
        if let Some(dir) = &self.data_dir {
            return dir.clone();
        }
        let base = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share")))
            .unwrap_or_else(|| PathBuf::from("."));
        base.join("dromos")
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{Cli, Command, LogFormat};

    #[test]
    fn serve_is_the_default_command_with_documented_defaults() {
        let cli = Cli::try_parse_from(["dromos"]).expect("no arguments parse");
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.http_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(cli.serve.master, "local");
        assert_eq!(cli.serve.log_format, LogFormat::Text);
    }

    #[test]
    fn serve_subcommand_takes_the_same_flags() {
        let cli =
            Cli::try_parse_from(["dromos", "serve", "--http-addr", "127.0.0.1:0", "--data-dir", "/tmp/x"])
                .expect("serve flags parse");
        let Some(Command::Serve(args)) = cli.command else { panic!("expected serve") };
        assert_eq!(args.http_addr.port(), 0);
        assert_eq!(args.resolved_data_dir(), std::path::PathBuf::from("/tmp/x"));
    }

    #[test]
    fn ha_flags_default_to_single_mode_and_parse_when_given() {
        let single = Cli::try_parse_from(["dromos"]).expect("no arguments parse");
        assert_eq!(single.serve.zk, None);
        assert_eq!(single.serve.zk_session_timeout().as_millis(), 10_000);
        assert_eq!(single.serve.advertise_addr, None);
        let ha = Cli::try_parse_from([
            "dromos",
            "--zk",
            "zk://a:2181,b:2181/dromos",
            "--zk-session-timeout",
            "2000",
            "--advertise-addr",
            "node1:8080",
        ])
        .expect("HA flags parse");
        assert_eq!(ha.serve.zk.as_deref(), Some("zk://a:2181,b:2181/dromos"));
        assert_eq!(ha.serve.zk_session_timeout().as_millis(), 2000);
        assert_eq!(ha.serve.advertise_addr.as_deref(), Some("node1:8080"));
        let too_short = Cli::try_parse_from(["dromos", "--zk-session-timeout", "10"]).expect_err("must fail");
        assert!(too_short.to_string().contains("--zk-session-timeout"), "{too_short}");
    }

    #[test]
    fn simulation_flags_are_off_by_default_and_parse_when_given() {
        let plain = Cli::try_parse_from(["dromos"]).expect("no arguments parse");
        assert!(!plain.serve.local_simulate);
        assert_eq!(plain.serve.local_resources, "");
        let simulated = Cli::try_parse_from(["dromos", "--local-simulate", "--local-resources", "cpus:2000"])
            .expect("simulation flags parse");
        assert!(simulated.serve.local_simulate);
        assert_eq!(simulated.serve.local_resources, "cpus:2000");
    }

    #[test]
    fn bad_address_is_rejected_with_the_flag_named() {
        let err = Cli::try_parse_from(["dromos", "--http-addr", "nowhere"]).expect_err("must fail");
        assert!(err.to_string().contains("--http-addr"), "{err}");
    }
}

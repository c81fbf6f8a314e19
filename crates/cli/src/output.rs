//! Where results go: the server's JSON verbatim (pretty-printed) with
//! `--json`, otherwise text for humans. Mutations share one summary format so
//! every command that starts a deployment tells the user its id and version.

use std::io::Write;

use serde_json::Value;

use crate::client::ApiResponse;
use crate::error::CliError;
use crate::table::Table;

/// The sink of one invocation.
pub struct Output<'a> {
    out: &'a mut (dyn Write + Send),
    json: bool,
}

impl<'a> Output<'a> {
    /// `json` selects machine output (`--json`).
    pub fn new(out: &'a mut (dyn Write + Send), json: bool) -> Self {
        Self { out, json }
    }

    /// True when the user asked for the server's JSON.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Writes `text` as is.
    pub fn text(&mut self, text: &str) -> Result<(), CliError> {
        self.out.write_all(text.as_bytes()).map_err(CliError::Output)
    }

    /// Pushes what was written so far to the terminal (streams).
    pub fn flush(&mut self) -> Result<(), CliError> {
        self.out.flush().map_err(CliError::Output)
    }

    /// Writes `value` pretty-printed; an empty body (`Null`) writes nothing.
    pub fn json(&mut self, value: &Value) -> Result<(), CliError> {
        if value.is_null() {
            return Ok(());
        }
        let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
        self.text(&text)?;
        self.text("\n")
    }

    /// Reports a mutation: the server's JSON, or `headline` followed by the
    /// deployment id and version it started.
    pub fn mutation(&mut self, headline: &str, response: &ApiResponse) -> Result<(), CliError> {
        if self.json {
            return self.json(&response.body);
        }
        let mut text = format!("{headline}\n");
        let mut table = Table::headless();
        if let Some(id) = deployment_id(response) {
            table.row(["deployment", id.as_str()]);
        }
        if let Some(version) = response.body.get("version").and_then(Value::as_str) {
            table.row(["version", version]);
        }
        text.push_str(&table.render());
        self.text(&text)
    }
}

/// The deployment a mutation started: the `Marathon-Deployment-Id` header,
/// else `deploymentId` of a DeploymentResult, else the first of an app's
/// `deployments` (the body of `POST /v2/apps`).
pub fn deployment_id(response: &ApiResponse) -> Option<String> {
    let body = &response.body;
    response
        .deployment_id
        .clone()
        .or_else(|| body.get("deploymentId").and_then(Value::as_str).map(str::to_owned))
        .or_else(|| body.pointer("/deployments/0/id").and_then(Value::as_str).map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{deployment_id, Output};
    use crate::client::ApiResponse;

    fn response(header: Option<&str>, body: serde_json::Value) -> ApiResponse {
        ApiResponse { status: 200, deployment_id: header.map(str::to_owned), body }
    }

    #[test]
    fn deployment_id_prefers_header_then_result_then_app_deployments() {
        let cases = [
            (Some("h"), json!({"deploymentId": "b"}), Some("h")),
            (None, json!({"deploymentId": "b", "deployments": [{"id": "c"}]}), Some("b")),
            (None, json!({"deployments": [{"id": "c"}]}), Some("c")),
            (None, json!({"deployments": []}), None),
            (None, json!(null), None),
        ];
        for (header, body, want) in cases {
            assert_eq!(deployment_id(&response(header, body.clone())).as_deref(), want, "{body}");
        }
    }

    #[test]
    fn mutation_summary_names_deployment_and_version() {
        let mut buf = Vec::new();
        let mut output = Output::new(&mut buf, false);
        output
            .mutation("Restarting app /web.", &response(None, json!({"deploymentId": "d1", "version": "v1"})))
            .expect("writing to a Vec cannot fail");
        assert_eq!(String::from_utf8_lossy(&buf), "Restarting app /web.\ndeployment  d1\nversion     v1\n");
    }
}

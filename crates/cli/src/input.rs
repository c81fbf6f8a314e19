//! Reading app and group definitions from a file or stdin (`-`). The JSON
//! is checked here, before anything is sent, so a typo is reported with the
//! file name and position instead of as a server-side `400`.

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::error::CliError;

/// The path that means "read standard input".
const STDIN: &str = "-";

/// Reads and parses the JSON definition at `path` (`-` for stdin).
pub fn read_definition(path: &Path) -> Result<Value, CliError> {
    let (name, text) = if path.as_os_str() == STDIN {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|source| CliError::ReadInput { path: "<stdin>".to_owned(), source })?;
        ("<stdin>".to_owned(), text)
    } else {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| CliError::ReadInput { path: name.clone(), source })?;
        (name, text)
    };
    parse_definition(&name, &text)
}

/// Parses `text`, naming `name` and the line/column of the first error.
pub fn parse_definition(name: &str, text: &str) -> Result<Value, CliError> {
    serde_json::from_str(text).map_err(|error| {
        let (line, column) = (error.line(), error.column());
        let full = error.to_string();
        let message =
            full.strip_suffix(&format!(" at line {line} column {column}")).unwrap_or(&full).to_owned();
        CliError::InvalidJson { path: name.to_owned(), line, column, message }
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{parse_definition, read_definition};
    use crate::error::CliError;

    #[test]
    fn invalid_json_names_file_line_and_column() {
        let cases = [
            ("{\"id\": \"/a\",\n  \"cpus\": }", 2, 11, "expected value"),
            ("{\"id\": \"/a\"", 1, 11, "EOF while parsing an object"),
            ("", 1, 0, "EOF while parsing a value"),
        ];
        for (text, want_line, want_column, want_message) in cases {
            let error = parse_definition("app.json", text).expect_err("invalid JSON");
            let CliError::InvalidJson { path, line, column, message } = &error else {
                panic!("expected InvalidJson, got {error}");
            };
            assert_eq!(
                (path.as_str(), *line, *column, message.as_str()),
                ("app.json", want_line, want_column, want_message),
                "{text:?}"
            );
        }
    }

    #[test]
    fn missing_file_is_a_read_error_naming_the_file() {
        let error = read_definition(Path::new("/nonexistent/app.json")).expect_err("missing file");
        assert!(matches!(&error, CliError::ReadInput { path, .. } if path == "/nonexistent/app.json"));
        assert_eq!(error.exit_code(), 2);
    }
}

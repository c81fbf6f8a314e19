//! The console's sign-in page: plain server-rendered HTML with a form that
//! posts to `/v2/access/login`, so it works before (and without) the WASM
//! console, styled by the console's stylesheet.

/// Escapes text for HTML content and attribute values.
fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// Only same-site paths are followed after sign-in (no open redirects).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && n.len() < 2048 => {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The page, with an error message after a failed attempt.
pub fn page(next: &str, error: Option<&str>) -> String {
    let next = escape(&safe_next(Some(next)));
    let error = error
        .map(|e| format!(r#"<p class="login-error" role="alert" id="login-error">{}</p>"#, escape(e)))
        .unwrap_or_default();
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Sign in · dromos</title>
<link rel="stylesheet" href="/pkg/dromos.css">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>
.login-page {{ min-height: 100vh; display: grid; place-items: center; background: var(--brand, #1f2a44); }}
.login-card {{ width: min(380px, 92vw); background: var(--panel, #fff); color: var(--ink, #1b2333);
  border-radius: 12px; padding: 28px 30px; box-shadow: 0 10px 40px rgba(0, 0, 0, 0.25); }}
.login-card h1 {{ margin: 0 0 4px; font-size: 24px; letter-spacing: 0.02em; }}
.login-card p {{ margin: 0 0 18px; color: var(--muted, #5f6b80); }}
.login-card form {{ display: grid; gap: 6px; }}
.login-card label {{ font-weight: 600; font-size: 14px; margin-top: 8px; }}
.login-card input {{ font: inherit; padding: 9px 11px; border: 1px solid var(--line, #cbd5e1);
  border-radius: 8px; background: var(--bg, #fff); color: inherit; }}
.login-card input:focus-visible, .login-card button:focus-visible {{ outline: 3px solid var(--accent, #2563eb);
  outline-offset: 1px; }}
.login-card button {{ margin-top: 16px; font: inherit; font-weight: 600; padding: 10px; border: 0;
  border-radius: 8px; background: var(--accent, #2563eb); color: #fff; cursor: pointer; }}
.login-card .login-error {{ color: var(--bad, #b91c1c); background: var(--bad-soft, #fee2e2);
  padding: 8px 10px; border-radius: 8px; }}
</style>
</head>
<body class="login-page">
<main class="login-card">
<h1>dromos</h1>
<p>Sign in to deploy and run your team's services.</p>
{error}
<form method="post" action="/v2/access/login">
<input type="hidden" name="next" value="{next}">
<label for="user">User name</label>
<input id="user" name="user" autocomplete="username" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" data-testid="login-submit">Sign in</button>
</form>
</main>
</body>
</html>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped_and_redirects_stay_on_site() {
        let html = page("/x\"><script>", Some("<b>bad</b>"));
        assert!(!html.contains("<script>") && !html.contains("<b>bad"));
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/services?x=1")), "/services?x=1");
    }
}

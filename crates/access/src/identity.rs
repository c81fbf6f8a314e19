//! Users, password hashes and API tokens.
//!
//! Passwords are hashed with argon2id (the `argon2` crate's defaults, a
//! random salt per hash) and stored as PHC strings; they are never stored or
//! logged in clear. API tokens are 32 random bytes shown once, at creation:
//! `dromos_<id>_<secret>`. Only the id and the SHA-256 of the whole token are
//! kept, so a leaked store does not leak usable tokens; the id finds the
//! record and the digest is compared in constant time.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::AccessError;

/// Shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 8;
/// Longest password accepted (hashing cost must stay bounded).
pub const MAX_PASSWORD_LEN: usize = 1024;
/// Longest user, team or token name.
pub const MAX_NAME_LEN: usize = 64;
/// Prefix of every API token.
pub const TOKEN_PREFIX: &str = "dromos_";

/// A person or a robot that signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct User {
    /// Unique login name (see [`validate_name`]).
    pub name: String,
    /// argon2id PHC string; `None` for token-only users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    /// Admins may do everything.
    #[serde(default)]
    pub admin: bool,
    /// Names of the teams the user belongs to.
    #[serde(default)]
    pub teams: Vec<String>,
}

/// A stored API token: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenRecord {
    /// Public id, part of the token; used to list and revoke it.
    pub id: String,
    /// The user it acts as.
    pub user: String,
    /// Hex SHA-256 of the whole token text.
    pub digest: String,
    /// What it is for, as given at creation.
    #[serde(default)]
    pub description: String,
    /// ISO-8601 creation time.
    pub created_at: String,
}

/// Checks a user or team name: 1–64 of `a-z 0-9 - _ .`, starting with a
/// letter or digit. `field` is the JSON path named in the error.
pub fn validate_name(field: &str, name: &str) -> Result<(), AccessError> {
    let ok_first = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let ok_rest =
        name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
    if name.is_empty() || name.len() > MAX_NAME_LEN || !ok_first || !ok_rest {
        return Err(AccessError::invalid(
            field,
            format!(
                "must be 1 to {MAX_NAME_LEN} characters of a-z, 0-9, '-', '_' or '.', \
                 starting with a letter or digit"
            ),
        ));
    }
    Ok(())
}

/// The argon2id PHC string of `password`, after checking its length.
pub fn hash_password(password: &str) -> Result<String, AccessError> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN || password.len() > MAX_PASSWORD_LEN {
        return Err(AccessError::invalid(
            "/password",
            format!("must be {MIN_PASSWORD_LEN} to {MAX_PASSWORD_LEN} characters long"),
        ));
    }
    let mut salt_bytes = [0u8; 16];
    getrandom::fill(&mut salt_bytes).map_err(|e| AccessError::Internal(format!("random: {e}")))?;
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| AccessError::Internal(format!("encoding a salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccessError::Internal(format!("hashing a password: {e}")))
}

/// Whether `password` matches the PHC string `hash` (false for a malformed
/// hash or an over-long password, never an error an attacker can probe).
pub fn verify_password(hash: &str, password: &str) -> bool {
    if password.len() > MAX_PASSWORD_LEN {
        return false;
    }
    PasswordHash::new(hash)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A fresh token for `user`: the text to show once, and the record to store.
pub fn generate_token(
    user: &str,
    description: &str,
    created_at: &str,
) -> Result<(String, TokenRecord), AccessError> {
    let mut id_bytes = [0u8; 6];
    let mut secret = [0u8; 32];
    getrandom::fill(&mut id_bytes).map_err(|e| AccessError::Internal(format!("random: {e}")))?;
    getrandom::fill(&mut secret).map_err(|e| AccessError::Internal(format!("random: {e}")))?;
    let id: String = id_bytes.iter().map(|b| format!("{b:02x}")).collect();
    let text = format!("{TOKEN_PREFIX}{id}_{}", URL_SAFE_NO_PAD.encode(secret));
    let record = TokenRecord {
        id,
        user: user.to_owned(),
        digest: digest(&text),
        description: description.to_owned(),
        created_at: created_at.to_owned(),
    };
    Ok((text, record))
}

/// The public id inside a token text, if it is shaped like one.
pub fn token_id(text: &str) -> Option<&str> {
    let rest = text.strip_prefix(TOKEN_PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    (id.len() == 12 && id.bytes().all(|b| b.is_ascii_hexdigit()) && !secret.is_empty()).then_some(id)
}

/// Whether `text` is the token `record` was made for (constant time).
pub fn token_matches(record: &TokenRecord, text: &str) -> bool {
    digest(text).as_bytes().ct_eq(record.digest.as_bytes()).into()
}

/// Hex SHA-256 of `text`.
pub fn digest(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves_and_hashes_are_salted() {
        let a = hash_password("correct horse").unwrap();
        let b = hash_password("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "a fresh salt per hash");
        assert!(verify_password(&a, "correct horse"));
        assert!(!verify_password(&a, "correct horsE"));
        assert!(!verify_password("not a hash", "correct horse"));
    }

    #[test]
    fn short_and_absurd_passwords_are_refused_with_the_field() {
        for bad in ["", "short", &"x".repeat(MAX_PASSWORD_LEN + 1)] {
            let err = hash_password(bad).unwrap_err();
            assert!(matches!(&err, AccessError::Invalid { field, .. } if field == "/password"), "{err}");
        }
    }

    #[test]
    fn tokens_are_unique_found_by_id_and_matched_only_exactly() {
        let (text, record) = generate_token("alice", "ci", "2026-11-26T00:00:00.000Z").unwrap();
        let (other, _) = generate_token("alice", "ci", "2026-11-26T00:00:00.000Z").unwrap();
        assert_ne!(text, other);
        assert_eq!(token_id(&text), Some(record.id.as_str()));
        assert!(token_matches(&record, &text));
        assert!(!token_matches(&record, &other));
        assert!(!text.contains(&record.digest), "the digest is not the token");
        assert_eq!(token_id("dromos_zz_x"), None);
        assert_eq!(token_id("Bearer abc"), None);
    }

    #[test]
    fn names_are_plain_lowercase_words() {
        for good in ["alice", "team-a", "ci.bot", "0day"] {
            assert!(validate_name("/name", good).is_ok(), "{good}");
        }
        for bad in ["", "Alice", "-x", "a b", "a/b", "<script>", &"a".repeat(65)] {
            assert!(validate_name("/name", bad).is_err(), "{bad}");
        }
    }
}

//! Resources of server data, decoded the way server function responses are.
//!
//! A page's data arrives twice in the browser: serialized into the HTML for
//! hydration (decoded by the resource's codec) and as server function
//! responses on refetch. When both use the same format, each type's
//! deserializer is compiled into the WASM once.
//!
//! * [`Compact`]: postcard, the format of most server functions' answers
//!   (`output = Postcard`). A page whose data is all compact carries no JSON
//!   parser in its chunk, and its data is smaller in the HTML too (base64
//!   of postcard instead of JSON).
//! * [`SliceJson`]: JSON decoded from bytes, as `serde_json::from_slice`
//!   decodes JSON responses, for types postcard cannot carry: an app
//!   definition leaves out its empty fields (`skip_serializing_if`), which
//!   only a self-describing format reads back.

use leptos::prelude::Resource;
use leptos::server::codee::{Decoder, Encoder};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Postcard, base64 in the HTML (see the module docs).
pub struct Compact;

impl<T: Serialize> Encoder<T> for Compact {
    type Error = postcard::Error;
    type Encoded = Vec<u8>;

    fn encode(val: &T) -> Result<Self::Encoded, Self::Error> {
        postcard::to_allocvec(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Compact {
    type Error = postcard::Error;
    type Encoded = [u8];

    fn decode(val: &Self::Encoded) -> Result<T, Self::Error> {
        postcard::from_bytes(val)
    }
}

/// JSON, decoded from bytes (see the module docs).
pub struct SliceJson;

impl<T: Serialize> Encoder<T> for SliceJson {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<Self::Encoded, Self::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for SliceJson {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &Self::Encoded) -> Result<T, Self::Error> {
        serde_json::from_slice(val.as_bytes())
    }
}

/// A resource of server data in postcard: `fetcher` runs whenever `source`
/// changes.
#[track_caller]
pub fn resource<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, Compact>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

/// A resource of server data in JSON, for types that hold an app
/// definition (see the module docs).
#[track_caller]
pub fn json_resource<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, SliceJson>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;

    /// Encodes as the HTML and the server function answer carry it, decodes
    /// as the browser does.
    pub(crate) fn round_trip<T: Serialize + DeserializeOwned>(value: &T) -> T {
        let bytes = <Compact as Encoder<T>>::encode(value).expect("encodes");
        <Compact as Decoder<T>>::decode(&bytes).expect("decodes")
    }

    #[test]
    fn results_and_errors_survive_the_compact_codec() {
        let ok: Result<(String, Option<String>), ApiError> =
            Ok(("{\"id\": \"/a\"}".into(), Some("naïve ✓ <script>".into())));
        assert_eq!(round_trip(&ok), ok);
        let mut refused = ApiError::new(422, "Object is not valid");
        refused.details = vec![crate::model::Violation::new("/cpus", "must be greater than or equal to 0")];
        let err: Result<u32, ApiError> = Err(refused);
        assert_eq!(round_trip(&err), err);
    }
}

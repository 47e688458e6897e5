//! `/api/compress` edge function: exports `toolsku:router/handler`, picks
//! the best encoding the client accepts (`br`, then `gzip`, else
//! `identity`) and estimates the compressed size of the body (10240 bytes
//! when there is none) with the imported `toolsku:calculator/ops`.

mod bindings {
    wit_bindgen::generate!({
        path: ["../../wit/calculator.wit", "../../wit/router.wit"],
        world: "toolsku:router/compress-handler",
        generate_all,
    });
}

use bindings::exports::toolsku::router::handler::{Guest, Request, Response};
use bindings::toolsku::calculator::ops;
use serde_json::json;

/// The size assumed for a response without a body, as in the seed.
const DEFAULT_SIZE: f64 = 10240.0;

struct Compress;

impl Guest for Compress {
    fn handle(request: Request) -> Response {
        let accept = request
            .headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("accept-encoding"))
            .map_or("", |(_, value)| value.as_str());
        // Typical ratios of compressed to original size.
        let (encoding, factor) = if accept.contains("br") {
            ("br", 0.2)
        } else if accept.contains("gzip") {
            ("gzip", 0.3)
        } else {
            ("identity", 1.0)
        };
        let original = request
            .body
            .as_ref()
            .map_or(DEFAULT_SIZE, |body| body.len() as f64);
        let compressed = ops::multiply(original, factor).round();
        // The share of bytes saved, in percent; nothing is saved on nothing.
        let saved = ops::divide(ops::subtract(original, compressed), original)
            .map(|share| ops::multiply(share, 100.0).round())
            .unwrap_or(0.0);
        Response {
            status: 200,
            headers: vec![("content-encoding".to_string(), encoding.to_string())],
            body: json!({
                "original_size": original as u64,
                "compressed_size": compressed as u64,
                "encoding": encoding,
                "ratio": format!("{saved}%"),
            })
            .to_string(),
            cache_control: "public, max-age=86400".to_string(),
            edge_cache_ttl: 86400,
        }
    }
}

bindings::export!(Compress with_types_in bindings);

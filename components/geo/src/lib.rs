//! `/api/geo` edge function: exports `toolsku:router/handler` and redirects
//! to the regional origin named by the `x-edge-region` header.

mod bindings {
    wit_bindgen::generate!({
        path: ["../../wit/calculator.wit", "../../wit/router.wit"],
        world: "toolsku:router/route-handler",
    });
}

use bindings::exports::toolsku::router::handler::{Guest, Request, Response};
use serde_json::json;

struct Geo;

impl Guest for Geo {
    fn handle(request: Request) -> Response {
        let region = header(&request, "x-edge-region").unwrap_or("default");
        let origin = match region {
            "cn-north" => "https://cn-north.example.com",
            "cn-south" => "https://cn-south.example.com",
            "us-west" => "https://us-west.example.com",
            "eu-central" => "https://eu-central.example.com",
            _ => "https://global.example.com",
        };
        Response {
            status: 302,
            headers: vec![("location".to_string(), origin.to_string())],
            body: json!({"redirect": origin, "region": region}).to_string(),
            cache_control: "no-cache".to_string(),
            edge_cache_ttl: 0,
        }
    }
}

bindings::export!(Geo with_types_in bindings);

/// A request header's value; names compare case-insensitively.
fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

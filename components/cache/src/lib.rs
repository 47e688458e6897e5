//! `/api/cache` edge function: exports `toolsku:router/handler` and answers
//! from the edge cache with the `max_age` (default 3600 s) and variant `v`
//! given in the query.

mod bindings {
    wit_bindgen::generate!({
        path: ["../../wit/calculator.wit", "../../wit/router.wit"],
        world: "toolsku:router/route-handler",
    });
}

use bindings::exports::toolsku::router::handler::{Guest, Request, Response};
use serde_json::json;

struct Cache;

impl Guest for Cache {
    fn handle(request: Request) -> Response {
        let max_age: u32 = query(&request, "max_age")
            .and_then(|v| v.parse().ok())
            .unwrap_or(3600);
        let variant = query(&request, "v").unwrap_or("1");
        Response {
            status: 200,
            headers: vec![("x-edge-cache".to_string(), "HIT".to_string())],
            body: json!({"cached": true, "ttl": max_age, "variant": variant}).to_string(),
            cache_control: format!("public, max-age={max_age}"),
            edge_cache_ttl: max_age,
        }
    }
}

bindings::export!(Cache with_types_in bindings);

fn query<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request
        .query
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

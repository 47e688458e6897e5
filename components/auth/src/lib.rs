//! `/api/auth` edge function: exports `toolsku:router/handler` and accepts a
//! request whose `authorization` header holds a bearer token longer than 20
//! characters in all, answering 401 otherwise.

mod bindings {
    wit_bindgen::generate!({
        path: ["../../wit/calculator.wit", "../../wit/router.wit"],
        world: "toolsku:router/route-handler",
    });
}

use bindings::exports::toolsku::router::handler::{Guest, Request, Response};
use serde_json::json;

struct Auth;

impl Guest for Auth {
    fn handle(request: Request) -> Response {
        let token = request
            .headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("authorization"))
            .map_or("", |(_, value)| value.as_str());
        let valid = token.starts_with("Bearer ") && token.chars().count() > 20;
        if valid {
            let prefix: String = token.chars().take(15).collect();
            Response {
                status: 200,
                headers: Vec::new(),
                body: json!({"authenticated": true, "token_prefix": prefix}).to_string(),
                cache_control: "private, no-cache".to_string(),
                edge_cache_ttl: 0,
            }
        } else {
            Response {
                status: 401,
                headers: vec![("www-authenticate".to_string(), "Bearer".to_string())],
                body: json!({"error": "unauthorized", "authenticated": false}).to_string(),
                cache_control: "no-cache".to_string(),
                edge_cache_ttl: 0,
            }
        }
    }
}

bindings::export!(Auth with_types_in bindings);

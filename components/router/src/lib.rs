//! Edge function router guest (the seed's pattern 5): exports
//! `toolsku:router/routes` and sends each request to one of four imported
//! handler instances, `geo`, `cache`, `auth` and `compress`, by path.
//! Each import has the shape of `toolsku:router/handler`, so a composition
//! plugs a separate component instance into each.

mod bindings {
    wit_bindgen::generate!({
        path: ["../../wit/calculator.wit", "../../wit/router.wit"],
        world: "toolsku:router/router",
    });
}

use bindings::exports::toolsku::router::routes::{Guest, Request, Response};
use serde_json::{Map, Value, json};

/// The routes, in the order `paths` lists them.
const ROUTES: &[&str] = &["/api/geo", "/api/cache", "/api/auth", "/api/compress"];

struct Router;

impl Guest for Router {
    fn paths() -> Vec<String> {
        ROUTES.iter().map(|p| p.to_string()).collect()
    }

    fn route(request: Request) -> Response {
        match request.path.as_str() {
            "/api/geo" => bindings::geo::handle(&request),
            "/api/cache" => bindings::cache::handle(&request),
            "/api/auth" => bindings::auth::handle(&request),
            "/api/compress" => bindings::compress::handle(&request),
            _ => error_response(404, "not found"),
        }
    }

    fn route_json(event: String) -> String {
        let response = match parse_event(&event) {
            Ok(request) => Self::route(request),
            Err(reason) => error_response(400, &format!("invalid event: {reason}")),
        };
        response_json(&response).to_string()
    }
}

bindings::export!(Router with_types_in bindings);

fn error_response(status: u16, message: &str) -> Response {
    Response {
        status,
        headers: Vec::new(),
        body: json!({"error": message}).to_string(),
        cache_control: "no-cache".to_string(),
        edge_cache_ttl: 0,
    }
}

/// Reads the seed's edge event. `path` is required; the other fields
/// default to empty.
fn parse_event(event: &str) -> Result<Request, String> {
    let event: Value = serde_json::from_str(event).map_err(|e| e.to_string())?;
    let Value::Object(event) = event else {
        return Err("an event must be a JSON object".to_string());
    };
    let path = event
        .get("path")
        .and_then(Value::as_str)
        .ok_or("missing string field `path`")?;
    let method = event.get("method").and_then(Value::as_str).unwrap_or("GET");
    let body = match event.get("body") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(other) => Some(other.to_string()),
    };
    Ok(Request {
        path: path.to_string(),
        method: method.to_string(),
        headers: pairs(&event, "headers")?,
        query: pairs(&event, "query_params")?,
        body,
    })
}

/// A JSON object of strings as a list of pairs.
fn pairs(event: &Map<String, Value>, field: &str) -> Result<Vec<(String, String)>, String> {
    match event.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(object)) => object
            .iter()
            .map(|(key, value)| match value {
                Value::String(value) => Ok((key.clone(), value.clone())),
                _ => Err(format!("`{field}.{key}` must be a string")),
            })
            .collect(),
        Some(_) => Err(format!("`{field}` must be an object of strings")),
    }
}

/// The response as the seed's JSON; a body that is JSON is embedded as it
/// is, any other body as a string.
fn response_json(response: &Response) -> Value {
    let headers: Map<String, Value> = response
        .headers
        .iter()
        .map(|(key, value)| (key.clone(), Value::String(value.clone())))
        .collect();
    let body = serde_json::from_str(&response.body)
        .unwrap_or_else(|_| Value::String(response.body.clone()));
    json!({
        "status_code": response.status,
        "headers": headers,
        "body": body,
        "cache_control": response.cache_control,
        "edge_cache_ttl": response.edge_cache_ttl,
    })
}

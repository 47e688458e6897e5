//! Machine-readable renderings of a check report: JSON (wcompose's own
//! stable schema), GitHub workflow annotations, and SARIF 2.1.0 for code
//! scanning tools; plus a plain one-line-per-finding text form.
//!
//! The JSON schema (version 1):
//!
//! ```json
//! { "version": 1,
//!   "findings": [ { "kind": "type-mismatch", "severity": "error",
//!                   "composition": "compositions/seed.wac",
//!                   "path": "toolsku:calculator/ops.add, parameter a",
//!                   "message": "...", "expected": "f64", "found": "s32",
//!                   "file": "compositions/seed.wac", "line": 6, "column": 41,
//!                   "related": [ { "file": "...", "line": 3, "column": 15, "message": "..." } ] } ] }
//! ```
//!
//! `expected`, `found`, `file`, `line` and `column` may be `null`.

use serde_json::{Value, json};

use super::{Finding, Label, Report, Severity};

/// One composition's report, named by the composition's path.
pub type Reports<'a> = [(String, &'a Report)];

fn location(label: &Label) -> (String, usize, usize) {
    let (line, column) = label.source.line_col(label.span.start);
    (label.source.name.clone(), line, column)
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The JSON document described at the top of this module.
pub fn json(reports: &Reports<'_>) -> Value {
    let mut findings = Vec::new();
    for (composition, report) in reports {
        for finding in &report.findings {
            let (file, line, column) = match finding.labels.first().map(location) {
                Some((f, l, c)) => (Some(f), Some(l), Some(c)),
                None => (None, None, None),
            };
            let related: Vec<Value> = finding
                .labels
                .iter()
                .skip(1)
                .map(|label| {
                    let (file, line, column) = location(label);
                    json!({ "file": file, "line": line, "column": column, "message": label.text })
                })
                .collect();
            findings.push(json!({
                "kind": finding.kind,
                "severity": severity(finding.severity),
                "composition": composition,
                "path": finding.path,
                "message": finding.message,
                "expected": finding.expected,
                "found": finding.found,
                "file": file,
                "line": line,
                "column": column,
                "related": related,
            }));
        }
    }
    json!({ "version": 1, "findings": findings })
}

/// GitHub Actions workflow commands, one `::error` or `::warning` line per
/// finding, so that findings show up on the pull request's diff.
pub fn github(reports: &Reports<'_>) -> String {
    let mut out = String::new();
    for (_, report) in reports {
        for finding in &report.findings {
            let mut properties = Vec::new();
            if let Some((file, line, column)) = finding.labels.first().map(location) {
                properties.push(format!("file={}", escape_property(&file)));
                properties.push(format!("line={line}"));
                properties.push(format!("col={column}"));
            }
            properties.push(format!(
                "title={}",
                escape_property(&format!("wcompose {}", kind_name(finding)))
            ));
            let command = match finding.severity {
                Severity::Note => "notice",
                other => severity(other),
            };
            out.push_str(&format!(
                "::{} {}::{}\n",
                command,
                properties.join(","),
                escape_data(&finding.message)
            ));
        }
    }
    out
}

fn kind_name(finding: &Finding) -> String {
    serde_json::to_value(finding.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A SARIF 2.1.0 log with one run, one rule per finding kind.
pub fn sarif(reports: &Reports<'_>) -> Value {
    let mut rules: Vec<String> = Vec::new();
    let mut results = Vec::new();
    for (_, report) in reports {
        for finding in &report.findings {
            let rule = kind_name(finding);
            let rule_index = match rules.iter().position(|r| *r == rule) {
                Some(i) => i,
                None => {
                    rules.push(rule.clone());
                    rules.len() - 1
                }
            };
            let physical = |label: &Label| {
                let (file, line, column) = location(label);
                json!({
                    "physicalLocation": {
                        "artifactLocation": { "uri": file },
                        "region": { "startLine": line, "startColumn": column },
                    },
                    "message": { "text": label.text },
                })
            };
            let mut result = json!({
                "ruleId": rule,
                "ruleIndex": rule_index,
                "level": severity(finding.severity),
                "message": { "text": finding.message },
                "locations": finding.labels.first().map(physical).into_iter().collect::<Vec<_>>(),
            });
            let related: Vec<Value> = finding.labels.iter().skip(1).map(physical).collect();
            if !related.is_empty() {
                result["relatedLocations"] = Value::Array(related);
            }
            results.push(result);
        }
    }
    let rules: Vec<Value> = rules
        .iter()
        .map(|id| json!({ "id": id, "shortDescription": { "text": format!("WIT compatibility: {id}") } }))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "wcompose",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

/// One block per finding, without colour or box drawing: the severity and
/// kind, the message, then each label as `file:line:col: text`.
pub fn plain(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        out.push_str(&format!(
            "{}[{}]: {}\n",
            severity(finding.severity),
            kind_name(finding),
            finding.message
        ));
        for label in &finding.labels {
            let (file, line, column) = location(label);
            out.push_str(&format!("  --> {file}:{line}:{column}: {}\n", label.text));
        }
    }
    out
}

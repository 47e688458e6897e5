//! `cargo xtask interop componentize`: `wcompose::componentize` (the
//! library that the command calls, in process) against
//! `wasm-tools component new` 1.263, byte for byte, on the same inputs.
//!
//! - every case of `tests/componentize/cases/`: its `args` translated for
//!   the reference (`--wit DIR --world W` becomes a `wasm-tools component
//!   embed` first; `--adapt` and `--debug-names=false` are the same flags;
//!   the WASI preview-1 adapter that wcompose chooses, or `--adapter`
//!   names, is given as `--adapt wasi_snapshot_preview1=FILE`); every
//!   case must match;
//! - wit-component 0.263's own test cases (`tests/components/` of the
//!   crate source in the cargo registry, when it is there) that have a
//!   `module.wat` and no adapter: embedded by `wasm-tools component embed
//!   DIR --world module`, then encoded by both, and also given to wcompose
//!   as `--wit DIR --world module`; the verdicts (both accept with the
//!   same bytes, or both refuse) must agree, and the agreement rate is
//!   printed.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use xshell::{Shell, cmd};

use crate::tools;
use wcompose::artifact::{self, ArtifactKind, CoreWasi};
use wcompose::componentize::{
    Adapter, CustomAdapter, Options, World, choose_adapter, componentize,
};

pub fn run(sh: &Shell, root: &Path) -> Result<()> {
    let wasm_tools = tools::WASM_TOOLS.ensure(sh)?;
    let tmp = tempfile::tempdir()?;
    let both = Both {
        sh,
        wasm_tools: &wasm_tools,
        tmp: tmp.path(),
    };
    fixtures(
        &both,
        &root.join("tests").join("componentize").join("cases"),
    )?;
    match wit_component_cases() {
        Some(dir) => wit_component(&both, &dir),
        None => {
            println!(
                "wit-component 0.263's source is not in the cargo registry: its test cases were not compared"
            );
            Ok(())
        }
    }
}

/// The two tools and a scratch folder.
struct Both<'a> {
    sh: &'a Shell,
    wasm_tools: &'a Path,
    tmp: &'a Path,
}

/// What one side made of an input: the component, or the refusal.
type Verdict = std::result::Result<Vec<u8>, String>;

impl Both<'_> {
    /// `wasm-tools component embed` (when `wit` is given), then `wasm-tools
    /// component new` with `new_args`.
    fn reference(
        &self,
        input: &Path,
        wit: Option<(&Path, Option<&str>)>,
        new_args: &[String],
    ) -> Result<Verdict> {
        let sh = self.sh;
        let wasm_tools = self.wasm_tools;
        let core = match wit {
            Some((dir, world)) => {
                let core = self.tmp.join("embedded.wasm");
                let world: Vec<String> = world
                    .map(|w| vec!["--world".to_string(), w.to_string()])
                    .unwrap_or_default();
                let out = cmd!(
                    sh,
                    "{wasm_tools} component embed {dir} {world...} {input} -o {core}"
                )
                .ignore_status()
                .output()?;
                if !out.status.success() {
                    return Ok(Err(String::from_utf8_lossy(&out.stderr).into_owned()));
                }
                core
            }
            None => input.to_path_buf(),
        };
        let component = self.tmp.join("reference.wasm");
        let _ = std::fs::remove_file(&component);
        let out = cmd!(
            sh,
            "{wasm_tools} component new {core} {new_args...} -o {component}"
        )
        .ignore_status()
        .output()?;
        Ok(if out.status.success() {
            Ok(std::fs::read(&component)?)
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        })
    }

    /// `wcompose componentize INPUT` with `options`, in process.
    fn wcompose(&self, input: &Path, options: Options) -> Result<Verdict> {
        let bytes = std::fs::read(input)?;
        Ok(componentize(&bytes, options)
            .map(|c| c.bytes)
            .map_err(|e| wcompose::error_chain(&e)))
    }
}

fn agree(a: &Verdict, b: &Verdict) -> bool {
    match (a, b) {
        (Ok(a), Ok(b)) => a == b,
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

fn describe(v: &Verdict) -> String {
    match v {
        Ok(bytes) => format!("a component of {} bytes", bytes.len()),
        Err(e) => format!("refused: {}", e.trim()),
    }
}

/// The fixture cases: both tools must write the same bytes.
fn fixtures(both: &Both<'_>, cases: &Path) -> Result<()> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(cases)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    dirs.sort();
    let mut differ = Vec::new();
    for case in &dirs {
        let text = std::fs::read_to_string(case.join("args")).unwrap_or_default();
        let args: Vec<String> = text
            .split_whitespace()
            .map(|a| a.replace("{case}", &case.display().to_string()))
            .collect();
        let input = case.join("input.wat");
        let (options, reference) = both_for(both, &input, &args)?;
        let ours = both.wcompose(&input, options)?;
        let name = case.file_name().unwrap_or_default().to_string_lossy();
        match (&ours, &reference) {
            (Ok(a), Ok(b)) if a == b => {
                println!(
                    "componentize {name}: identical to `wasm-tools component new` ({} bytes)",
                    a.len()
                );
            }
            _ => differ.push(format!(
                "{name}\n  wcompose:   {}\n  wasm-tools: {}",
                describe(&ours),
                describe(&reference)
            )),
        }
    }
    if !differ.is_empty() {
        bail!(
            "{} of {} componentize cases differ from `wasm-tools component new`:\n{}",
            differ.len(),
            dirs.len(),
            differ.join("\n")
        );
    }
    Ok(())
}

/// A case's `wcompose componentize` arguments as the library's options,
/// and the reference's verdict by its own steps for the same arguments.
fn both_for(both: &Both<'_>, input: &Path, args: &[String]) -> Result<(Options, Verdict)> {
    let mut options = Options::default();
    let mut wit = None;
    let mut world = None;
    let mut new_args = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let mut value = || iter.next().cloned().context("a flag without its value");
        match arg.as_str() {
            "--wit" => wit = Some(PathBuf::from(value()?)),
            "--world" => world = Some(value()?),
            "--adapter" => {
                options.adapter = Some(match value()?.as_str() {
                    "command" => Adapter::Command,
                    _ => Adapter::Reactor,
                })
            }
            "--adapt" => {
                let adapt = value()?;
                let (name, file) = adapt
                    .split_once('=')
                    .context("`--adapt NAME=FILE` in a case")?;
                options.adapters.push(CustomAdapter {
                    name: name.to_string(),
                    bytes: std::fs::read(file)?,
                });
                new_args.extend(["--adapt".to_string(), adapt.clone()]);
            }
            "--debug-names=false" => {
                options.debug_names = false;
                new_args.push(arg.clone());
            }
            other => bail!("`{other}` in a case's args is not a flag this task knows"),
        }
    }
    options.world = wit.clone().map(|wit| World {
        wit,
        name: world.clone(),
    });
    let custom_preview1 = options
        .adapters
        .iter()
        .any(|a| a.name == artifact::WASI_P1_MODULE);
    // wcompose gives its own WASI adapter after the caller's.
    let bytes = artifact::to_binary(&std::fs::read(input)?)?.into_owned();
    if let ArtifactKind::Core(core) = artifact::classify(&bytes)?
        && core.wasi == CoreWasi::Preview1
        && !custom_preview1
    {
        let adapter = choose_adapter(&core, options.adapter);
        let file = both.tmp.join(format!("{}.wasm", adapter.name()));
        std::fs::write(&file, adapter.bytes())?;
        new_args.extend([
            "--adapt".to_string(),
            format!("{}={}", artifact::WASI_P1_MODULE, file.display()),
        ]);
    }
    let reference = both.reference(
        input,
        wit.as_deref().map(|w| (w, world.as_deref())),
        &new_args,
    )?;
    Ok((options, reference))
}

/// wit-component 0.263's `tests/components/` in the cargo registry.
fn wit_component_cases() -> Option<PathBuf> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))?;
    let registries = std::fs::read_dir(cargo_home.join("registry").join("src")).ok()?;
    registries
        .filter_map(|r| r.ok())
        .map(|r| {
            r.path()
                .join("wit-component-0.263.0")
                .join("tests")
                .join("components")
        })
        .find(|p| p.is_dir())
}

/// wit-component's own cases without adapters: the verdicts must agree.
fn wit_component(both: &Both<'_>, dir: &Path) -> Result<()> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("module.wat").is_file())
        .filter(|p| {
            std::fs::read_dir(p).is_ok_and(|entries| {
                !entries
                    .filter_map(|e| e.ok())
                    .any(|e| e.file_name().to_string_lossy().starts_with("adapt-"))
            })
        })
        .collect();
    cases.sort();
    let mut differ = Vec::new();
    let (mut accepted, mut refused) = (0, 0);
    for case in &cases {
        let module = case.join("module.wat");
        let world = Some("module");
        let reference = both.reference(&module, Some((case, world)), &[])?;
        // The core that `component embed` made, given to wcompose as it is.
        let embedded = both.tmp.join("case-core.wasm");
        let sh = both.sh;
        let wasm_tools = both.wasm_tools;
        let embed = cmd!(
            sh,
            "{wasm_tools} component embed {case} --world module {module} -o {embedded}"
        )
        .ignore_status()
        .output()?;
        let ours_embedded = if embed.status.success() {
            both.wcompose(&embedded, Options::default())?
        } else {
            Err(String::from_utf8_lossy(&embed.stderr).into_owned())
        };
        let ours_wit = both.wcompose(
            &module,
            Options {
                world: Some(World {
                    wit: case.clone(),
                    name: Some("module".to_string()),
                }),
                ..Options::default()
            },
        )?;
        let name = case.file_name().unwrap_or_default().to_string_lossy();
        if agree(&reference, &ours_embedded) && agree(&reference, &ours_wit) {
            match reference {
                Ok(_) => accepted += 1,
                Err(_) => refused += 1,
            }
        } else {
            differ.push(format!(
                "{name}\n  wasm-tools:             {}\n  wcompose (embedded):    {}\n  wcompose (--wit):       {}",
                describe(&reference),
                describe(&ours_embedded),
                describe(&ours_wit)
            ));
        }
    }
    let agreed = accepted + refused;
    println!(
        "wit-component 0.263's cases without adapters: wcompose agrees with `wasm-tools component new` on \
         {agreed} of {} ({:.1} %): {accepted} identical components, {refused} refused by both",
        cases.len(),
        100.0 * agreed as f64 / cases.len().max(1) as f64
    );
    if !differ.is_empty() {
        bail!(
            "wcompose disagrees with `wasm-tools component new` on {} of wit-component's cases:\n{}",
            differ.len(),
            differ.join("\n")
        );
    }
    Ok(())
}

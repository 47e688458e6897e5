//! Running components under wasmtime with WASI preview 2.
//!
//! [`Runtime`] owns one engine and one linker with the WASI preview-2 host
//! (wasmtime-wasi). [`Runtime::load`] compiles a component once and prepares
//! an `InstancePre`; each [`Loaded::invoke`] or [`Loaded::run_command`] then
//! instantiates it in a fresh store, sandboxed: the guest sees no files,
//! environment or network unless [`Io`] grants them.

use std::fmt::Write as _;

use wasmtime::component::types::ComponentItem;
use wasmtime::component::wasm_wave;
use wasmtime::component::{Component, Func, InstancePre, Linker, ResourceTable, Type, Val};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};
use wasmtime_wasi::{I32Exit, WasiCtx, WasiCtxView, WasiView};

use crate::artifact::ArtifactKind;
use crate::componentize::{self, ComponentizeError};

/// The state of one guest instance: its WASI context.
pub struct Host {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

/// Why running a component failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The input could not be made into a component.
    #[error(transparent)]
    Componentize(#[from] ComponentizeError),
    /// wasmtime could not compile or link the component.
    #[error("failed to prepare the component for wasmtime")]
    Prepare(#[source] anyhow::Error),
    /// The `--invoke` text is not a function call.
    #[error(
        "invalid function call `{call}`: {reason}\n  help: write a call as `name(arg, ...)` with WAVE values, e.g. `csv-to-json(\"a,b\\n1,2\")`"
    )]
    BadCall {
        /// The call as given.
        call: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No exported function has that name.
    #[error("the component exports no function `{name}`; it exports:\n{available}")]
    NoSuchFunction {
        /// The name asked for.
        name: String,
        /// The exported functions with their signatures, one per line.
        available: String,
    },
    /// More than one exported function has that name.
    #[error("`{name}` is ambiguous; qualify it as one of:\n{candidates}")]
    Ambiguous {
        /// The name asked for.
        name: String,
        /// The matching functions, one per line.
        candidates: String,
    },
    /// The arguments do not fit the function's parameters.
    #[error("invalid arguments for `{function}`: {reason}\n  expected: {signature}")]
    BadArguments {
        /// The function.
        function: String,
        /// Its signature.
        signature: String,
        /// What is wrong.
        reason: String,
    },
    /// The component is not a command: it does not export `wasi:cli/run`.
    #[error(
        "the component does not export `wasi:cli/run`, so it cannot run as a command; it exports:\n{available}\n  help: call one of its functions with `--invoke 'name(args)'`"
    )]
    NotACommand {
        /// The exported functions, one per line.
        available: String,
    },
    /// The guest trapped or the host failed while it ran.
    #[error("the guest failed while running `{what}`")]
    Trap {
        /// The function or command.
        what: String,
        /// The trap, with the guest backtrace when wasmtime has one.
        #[source]
        source: anyhow::Error,
    },
}

/// What the guest may see and where its output goes.
#[derive(Debug, Default, Clone)]
pub struct Io {
    /// Standard input for the guest; `None` inherits the host's.
    pub stdin: Option<Vec<u8>>,
    /// Capture stdout and stderr instead of inheriting them.
    pub capture: bool,
    /// Arguments (`argv`, including the program name).
    pub args: Vec<String>,
}

/// What a finished guest left behind.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    /// The exit status (0 for success).
    pub exit_code: i32,
    /// Captured stdout (empty unless [`Io::capture`]).
    pub stdout: Vec<u8>,
    /// Captured stderr (empty unless [`Io::capture`]).
    pub stderr: Vec<u8>,
}

/// A function that a component exports.
#[derive(Debug, Clone)]
pub struct ExportedFunc {
    /// The exporting interface (`toolsku:formatter/format`), if any.
    pub interface: Option<String>,
    /// The function's name (`csv-to-json`).
    pub name: String,
    /// Its signature in WIT syntax.
    pub signature: String,
}

impl ExportedFunc {
    /// The fully qualified name: `toolsku:formatter/format#csv-to-json`.
    pub fn qualified(&self) -> String {
        match &self.interface {
            Some(i) => format!("{i}#{}", self.name),
            None => self.name.clone(),
        }
    }

    fn matches(&self, name: &str) -> bool {
        if name == self.name || name == self.qualified() {
            return true;
        }
        // `format.csv-to-json`: the interface's short name, then the function.
        let Some(interface) = &self.interface else {
            return false;
        };
        let short = interface.rsplit('/').next().unwrap_or(interface);
        let short = short.split('@').next().unwrap_or(short);
        name.strip_prefix(short)
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|f| f == self.name)
    }
}

/// An engine and a WASI preview-2 linker, shared by every component it loads.
pub struct Runtime {
    engine: Engine,
    linker: Linker<Host>,
}

impl Runtime {
    /// Creates a runtime with wasmtime's default configuration.
    pub fn new() -> Result<Self, RunError> {
        let engine = Engine::default();
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .map_err(|e| RunError::Prepare(e.into()))?;
        Ok(Self { engine, linker })
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Compiles a component (a preview-1 core module is componentized
    /// first) and links it against the WASI host.
    pub fn load(&self, bytes: &[u8]) -> Result<Loaded, RunError> {
        let componentized = componentize::componentize(bytes, componentize::Options::default())?;
        let component = Component::new(&self.engine, &componentized.bytes)
            .map_err(|e| RunError::Prepare(e.into()))?;
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|e| RunError::Prepare(e.into()))?;
        let functions = exported_functions(&self.engine, &component);
        Ok(Loaded {
            component,
            pre,
            functions,
            was_core: matches!(componentized.input, ArtifactKind::Core(_)),
        })
    }
}

/// A compiled component, ready to instantiate.
pub struct Loaded {
    component: Component,
    pre: InstancePre<Host>,
    functions: Vec<ExportedFunc>,
    was_core: bool,
}

impl Loaded {
    /// The functions the component exports.
    pub fn functions(&self) -> &[ExportedFunc] {
        &self.functions
    }

    /// The input was a core module that was componentized on the way in.
    pub fn was_componentized(&self) -> bool {
        self.was_core
    }

    /// Finds an exported function by short name (`csv-to-json`), interface
    /// and name (`format.csv-to-json`), or fully qualified name.
    pub fn find(&self, name: &str) -> Result<&ExportedFunc, RunError> {
        let found: Vec<_> = self.functions.iter().filter(|f| f.matches(name)).collect();
        match found.as_slice() {
            [one] => Ok(one),
            [] => Err(RunError::NoSuchFunction {
                name: name.to_string(),
                available: self.listing(self.functions.iter()),
            }),
            many => Err(RunError::Ambiguous {
                name: name.to_string(),
                candidates: self.listing(many.iter().copied()),
            }),
        }
    }

    fn listing<'a>(&self, functions: impl Iterator<Item = &'a ExportedFunc>) -> String {
        let mut out = String::new();
        for f in functions {
            let _ = writeln!(out, "  {}: {}", f.qualified(), f.signature);
        }
        if out.is_empty() {
            out.push_str("  (no functions)\n");
        }
        out.trim_end().to_string()
    }

    /// Calls an exported function, given as a WAVE call such as
    /// `csv-to-json("a,b\n1,2")`, and returns its results.
    pub fn invoke(&self, call: &str, io: &Io) -> Result<(Vec<Val>, Outcome), RunError> {
        let (name, args) = split_call(call)?;
        let function = self.find(name)?.clone();
        let (mut store, pipes) = self.store(io);
        let instance = self
            .pre
            .instantiate(&mut store)
            .map_err(|e| RunError::Trap {
                what: "instantiation".to_string(),
                source: e.into(),
            })?;
        let func =
            lookup_func(&self.component, &instance, &mut store, &function).ok_or_else(|| {
                RunError::Prepare(anyhow::anyhow!(
                    "export `{}` vanished after instantiation",
                    function.qualified()
                ))
            })?;
        let ty = func.ty(&store);
        let param_types: Vec<Type> = ty.params().map(|(_, t)| t).collect();
        let params: Vec<Val> = wasm_wave::untyped::UntypedFuncCall::parse(&format!("f{args}"))
            .and_then(|call| call.to_wasm_params(param_types.iter()))
            .map_err(|e| RunError::BadArguments {
                function: function.qualified(),
                signature: function.signature.clone(),
                reason: e.to_string(),
            })?;
        let mut results = vec![Val::Bool(false); ty.results().len()];
        let what = function.qualified();
        func.call(&mut store, &params, &mut results)
            .map_err(|e| RunError::Trap {
                what,
                source: e.into(),
            })?;
        drop(store);
        Ok((results, pipes.finish(0)))
    }

    /// Runs the component as a command (`wasi:cli/run`) and returns its exit
    /// status and, when captured, its output.
    pub fn run_command(&self, io: &Io) -> Result<Outcome, RunError> {
        let pre =
            wasmtime_wasi::p2::bindings::sync::CommandPre::new(self.pre.clone()).map_err(|_| {
                RunError::NotACommand {
                    available: self.listing(self.functions.iter()),
                }
            })?;
        let (mut store, pipes) = self.store(io);
        let run = pre
            .instantiate(&mut store)
            .and_then(|command| command.wasi_cli_run().call_run(&mut store));
        let exit_code = match run {
            Ok(Ok(())) => 0,
            Ok(Err(())) => 1,
            Err(e) => match e.downcast_ref::<I32Exit>() {
                Some(exit) => exit.0,
                None => {
                    return Err(RunError::Trap {
                        what: "wasi:cli/run".to_string(),
                        source: e.into(),
                    });
                }
            },
        };
        drop(store);
        Ok(pipes.finish(exit_code))
    }

    fn store(&self, io: &Io) -> (Store<Host>, Pipes) {
        let mut builder = WasiCtx::builder();
        builder.args(&io.args);
        match &io.stdin {
            Some(bytes) => {
                builder.stdin(MemoryInputPipe::new(bytes.clone()));
            }
            None => {
                builder.inherit_stdin();
            }
        }
        let pipes = if io.capture {
            let pipes = Pipes::Captured {
                stdout: MemoryOutputPipe::new(usize::MAX),
                stderr: MemoryOutputPipe::new(usize::MAX),
            };
            if let Pipes::Captured { stdout, stderr } = &pipes {
                builder.stdout(stdout.clone()).stderr(stderr.clone());
            }
            pipes
        } else {
            builder.inherit_stdout().inherit_stderr();
            Pipes::Inherited
        };
        let host = Host {
            ctx: builder.build(),
            table: ResourceTable::new(),
        };
        (Store::new(self.pre.component().engine(), host), pipes)
    }
}

enum Pipes {
    Inherited,
    Captured {
        stdout: MemoryOutputPipe,
        stderr: MemoryOutputPipe,
    },
}

impl Pipes {
    fn finish(self, exit_code: i32) -> Outcome {
        match self {
            Pipes::Inherited => Outcome {
                exit_code,
                ..Outcome::default()
            },
            Pipes::Captured { stdout, stderr } => Outcome {
                exit_code,
                stdout: stdout.contents().to_vec(),
                stderr: stderr.contents().to_vec(),
            },
        }
    }
}

/// Splits `name(args)` into the name and the parenthesised arguments.
fn split_call(call: &str) -> Result<(&str, &str), RunError> {
    let bad = |reason: &str| RunError::BadCall {
        call: call.to_string(),
        reason: reason.to_string(),
    };
    let call = call.trim();
    let open = call.find('(').ok_or_else(|| bad("missing `(`"))?;
    if !call.ends_with(')') {
        return Err(bad("missing closing `)`"));
    }
    let name = call[..open].trim();
    if name.is_empty() {
        return Err(bad("missing function name"));
    }
    Ok((name, &call[open..]))
}

fn lookup_func(
    component: &Component,
    instance: &wasmtime::component::Instance,
    store: &mut Store<Host>,
    function: &ExportedFunc,
) -> Option<Func> {
    let parent = match &function.interface {
        Some(interface) => Some(component.get_export_index(None, interface)?),
        None => None,
    };
    let index = component.get_export_index(parent.as_ref(), &function.name)?;
    instance.get_func(store, index)
}

fn exported_functions(engine: &Engine, component: &Component) -> Vec<ExportedFunc> {
    let mut out = Vec::new();
    for (name, item) in component.component_type().exports(engine) {
        match item.ty {
            ComponentItem::ComponentFunc(f) => out.push(ExportedFunc {
                interface: None,
                name: name.to_string(),
                signature: signature(&f),
            }),
            ComponentItem::ComponentInstance(instance) => {
                for (fname, item) in instance.exports(engine) {
                    if let ComponentItem::ComponentFunc(f) = item.ty {
                        out.push(ExportedFunc {
                            interface: Some(name.to_string()),
                            name: fname.to_string(),
                            signature: signature(&f),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn signature(f: &wasmtime::component::types::ComponentFunc) -> String {
    let params: Vec<_> = f
        .params()
        .map(|(n, t)| format!("{n}: {}", type_to_wit(&t)))
        .collect();
    let mut out = format!("func({})", params.join(", "));
    let results: Vec<_> = f.results().map(|t| type_to_wit(&t)).collect();
    if !results.is_empty() {
        let _ = write!(out, " -> {}", results.join(", "));
    }
    out
}

/// Renders a wasmtime component type in WIT syntax. Named types have no
/// names at this level, so records, variants and the like are spelled out.
pub fn type_to_wit(ty: &Type) -> String {
    match ty {
        Type::Bool => "bool".into(),
        Type::S8 => "s8".into(),
        Type::U8 => "u8".into(),
        Type::S16 => "s16".into(),
        Type::U16 => "u16".into(),
        Type::S32 => "s32".into(),
        Type::U32 => "u32".into(),
        Type::S64 => "s64".into(),
        Type::U64 => "u64".into(),
        Type::Float32 => "f32".into(),
        Type::Float64 => "f64".into(),
        Type::Char => "char".into(),
        Type::String => "string".into(),
        Type::List(l) => format!("list<{}>", type_to_wit(&l.ty())),
        Type::Record(r) => {
            let fields: Vec<_> = r
                .fields()
                .map(|f| format!("{}: {}", f.name, type_to_wit(&f.ty)))
                .collect();
            format!("record {{ {} }}", fields.join(", "))
        }
        Type::Tuple(t) => {
            let types: Vec<_> = t.types().map(|t| type_to_wit(&t)).collect();
            format!("tuple<{}>", types.join(", "))
        }
        Type::Variant(v) => {
            let cases: Vec<_> = v
                .cases()
                .map(|c| match c.ty {
                    Some(t) => format!("{}({})", c.name, type_to_wit(&t)),
                    None => c.name.to_string(),
                })
                .collect();
            format!("variant {{ {} }}", cases.join(", "))
        }
        Type::Enum(e) => format!("enum {{ {} }}", e.names().collect::<Vec<_>>().join(", ")),
        Type::Option(o) => format!("option<{}>", type_to_wit(&o.ty())),
        Type::Result(r) => {
            let side = |t: Option<Type>| t.map_or("_".to_string(), |t| type_to_wit(&t));
            match (r.ok(), r.err()) {
                (None, None) => "result".into(),
                (ok, err) => format!("result<{}, {}>", side(ok), side(err)),
            }
        }
        Type::Flags(f) => format!("flags {{ {} }}", f.names().collect::<Vec<_>>().join(", ")),
        Type::Own(_) => "own<resource>".into(),
        Type::Borrow(_) => "borrow<resource>".into(),
        other => format!("{other:?}"),
    }
}

/// Renders a value in WAVE, the WebAssembly Value Encoding.
pub fn wave(value: &Val) -> String {
    wasm_wave::to_string(value).unwrap_or_else(|e| format!("<unprintable value: {e}>"))
}

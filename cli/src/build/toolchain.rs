//! The toolchains non-Rust guests are built with, found or installed by the
//! project itself, at pinned versions:
//!
//! - **clang** for C and C++: Debian's `clang-19`, `lld-19`, the wasm32
//!   compiler runtime, `wasi-libc` and the wasm32 libc++, installed with
//!   `apt-get` when running as root (otherwise the error names the packages
//!   and the command);
//! - **componentize-py** 0.25.1 from PyPI, in a virtual environment under
//!   `target/toolchains/python`;
//! - **componentize-js** 0.23.0 from npm, in a prefix under
//!   `target/toolchains/node`.
//!
//! The versions found are recorded in `wcompose.lock` and in each guest's
//! input digest, so a new toolchain rebuilds the guests it builds.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Instant;

use super::guest::Event;

/// componentize-py's pinned version.
pub const COMPONENTIZE_PY_VERSION: &str = "0.25.1";

/// componentize-js's pinned version.
pub const COMPONENTIZE_JS_VERSION: &str = "0.23.0";

/// The LLVM release whose Debian packages build C and C++ guests.
pub const LLVM_MAJOR: &str = "19";

/// The Debian packages of the C and C++ toolchain.
pub const DEBIAN_PACKAGES: &[&str] = &[
    "clang-19",
    "lld-19",
    "libclang-rt-19-dev-wasm32",
    "wasi-libc",
    "libc++-19-dev-wasm32",
    "libc++abi-19-dev-wasm32",
];

/// The Debian package of the wasm32 C library, which C and C++ guests link.
pub const WASI_LIBC_PACKAGE: &str = "wasi-libc";

/// Where Debian's wasi-libc puts the wasm32 sysroot's libraries.
const WASI_LIBC: &str = "/usr/lib/wasm32-wasi/libc.a";

/// Where Debian's libc++ for wasm32 puts its library.
const WASI_LIBCXX: &str = "/usr/lib/wasm32-wasi/libc++.a";

/// A toolchain that builds guests of one or more languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Toolchain {
    /// Debian's clang, lld and wasi-libc (C and C++).
    Clang,
    /// componentize-py (Python).
    ComponentizePy,
    /// componentize-js (JavaScript).
    ComponentizeJs,
}

impl Toolchain {
    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Toolchain::Clang => "clang",
            Toolchain::ComponentizePy => "componentize-py",
            Toolchain::ComponentizeJs => "componentize-js",
        }
    }

    /// The command that installs it by hand.
    pub fn install_command(self, options: &ToolchainOptions) -> String {
        match self {
            Toolchain::Clang => format!(
                "apt-get install --no-install-recommends {}",
                DEBIAN_PACKAGES.join(" ")
            ),
            Toolchain::ComponentizePy => format!(
                "python3 -m venv {0} && {0}/bin/pip install componentize-py=={COMPONENTIZE_PY_VERSION}",
                options.python_dir().display()
            ),
            Toolchain::ComponentizeJs => format!(
                "npm install --prefix {} @bytecodealliance/componentize-js@{COMPONENTIZE_JS_VERSION}",
                options.node_dir().display()
            ),
        }
    }
}

impl fmt::Display for Toolchain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where toolchains are looked for and installed.
#[derive(Debug, Clone)]
pub struct ToolchainOptions {
    /// The folder Python and npm tools are installed into
    /// (`target/toolchains` of the workspace).
    pub dir: PathBuf,
    /// The `PATH` programs are looked up in; the process's own when `None`.
    pub path: Option<OsString>,
    /// Whether a missing toolchain may be installed.
    pub install: bool,
}

impl ToolchainOptions {
    /// Installs into `dir`, looks programs up in the process's `PATH`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            path: None,
            install: true,
        }
    }

    fn python_dir(&self) -> PathBuf {
        self.dir.join("python")
    }

    fn node_dir(&self) -> PathBuf {
        self.dir.join("node")
    }

    /// The first `name` on the search path.
    fn which(&self, name: &str) -> Option<PathBuf> {
        let path = self.path.clone().or_else(|| std::env::var_os("PATH"))?;
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    }
}

/// A found toolchain: its programs and their versions.
#[derive(Debug, Clone)]
pub struct Tools {
    /// The toolchain.
    pub toolchain: Toolchain,
    /// Program name to path (`clang`, `clang++`, `componentize-py`, ...).
    pub programs: BTreeMap<&'static str, PathBuf>,
    /// Component name to version, as `wcompose.lock` records them.
    pub versions: BTreeMap<String, String>,
    /// The `PATH` its programs run with.
    pub path: Option<OsString>,
}

impl Tools {
    /// The path of one of its programs.
    pub fn program<'a>(&'a self, name: &'a str) -> &'a Path {
        self.programs
            .get(name)
            .map(PathBuf::as_path)
            .unwrap_or_else(|| Path::new(name))
    }

    /// A command for one of its programs, with the toolchain's `PATH`.
    pub fn command(&self, name: &str) -> Command {
        let mut command = Command::new(self.program(name));
        if let Some(path) = &self.path {
            command.env("PATH", path);
        }
        command
    }

    /// Its versions on one line, `name version, ...`.
    pub fn versions_line(&self) -> String {
        self.versions
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Why a toolchain is not there.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ToolchainError {
    /// It is missing and was not installed.
    #[error("toolchain `{toolchain}` is missing ({missing}){}\n  help: install it with `{install}`", reason.as_ref().map(|r| format!("; {r}")).unwrap_or_default())]
    Missing {
        /// The toolchain.
        toolchain: Toolchain,
        /// What was looked for and not found.
        missing: String,
        /// Why it was not installed.
        reason: Option<String>,
        /// The command that installs it.
        install: String,
    },
    /// Installing it failed.
    #[error("failed to install toolchain `{toolchain}`: {}\n  help: install it with `{install}`", describe_failure(command, *status, output))]
    Install {
        /// The toolchain.
        toolchain: Toolchain,
        /// The command that failed.
        command: String,
        /// Its exit status, if it ran.
        status: Option<ExitStatus>,
        /// What it printed.
        output: String,
        /// The command that installs it by hand.
        install: String,
    },
}

/// The text of a failed command: its line, its exit status and its output.
pub(crate) fn describe_failure(command: &str, status: Option<ExitStatus>, output: &str) -> String {
    let status = status.map(|s| format!(" with {s}")).unwrap_or_default();
    format!("`{command}` failed{status}\n{}", output.trim_end())
}

/// A command that failed.
pub(crate) struct Failure {
    pub command: String,
    pub status: Option<ExitStatus>,
    pub output: String,
}

/// The command line of `command`, as a user would type it.
pub(crate) fn command_line(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `command` to completion with no stdin; returns its stdout and
/// stderr together, or the failure.
pub(crate) fn run(command: &mut Command) -> Result<String, Failure> {
    let line = command_line(command);
    let output = command.stdin(Stdio::null()).output().map_err(|e| Failure {
        command: line.clone(),
        status: None,
        output: e.to_string(),
    })?;
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    if output.status.success() {
        Ok(text)
    } else {
        Err(Failure {
            command: line,
            status: Some(output.status),
            output: text,
        })
    }
}

/// Finds `toolchain`, installing it first when it is missing and
/// `options.install` allows.
pub fn find_or_install(
    toolchain: Toolchain,
    options: &ToolchainOptions,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<Tools, ToolchainError> {
    let missing = match find(toolchain, options) {
        Ok(tools) => return Ok(tools),
        Err(missing) => missing,
    };
    let install = toolchain.install_command(options);
    let refuse = |reason: String| ToolchainError::Missing {
        toolchain,
        missing: missing.clone(),
        reason: Some(reason),
        install: install.clone(),
    };
    if !options.install {
        return Err(refuse("installing is turned off".to_string()));
    }
    let steps = install_steps(toolchain, options).map_err(refuse)?;
    let start = Instant::now();
    for mut step in steps {
        let line = command_line(&step);
        on_event(Event::Installing {
            toolchain,
            command: &line,
        });
        run(&mut step).map_err(|failure| ToolchainError::Install {
            toolchain,
            command: failure.command,
            status: failure.status,
            output: failure.output,
            install: install.clone(),
        })?;
    }
    on_event(Event::Installed {
        toolchain,
        elapsed: start.elapsed(),
    });
    find(toolchain, options).map_err(|missing| ToolchainError::Missing {
        toolchain,
        missing,
        reason: Some("it was installed, but is still not found".to_string()),
        install,
    })
}

/// The toolchain if it is all there, else what is missing.
fn find(toolchain: Toolchain, options: &ToolchainOptions) -> Result<Tools, String> {
    let mut programs = BTreeMap::new();
    let mut versions = BTreeMap::new();
    match toolchain {
        Toolchain::Clang => {
            let clang_name = format!("clang-{LLVM_MAJOR}");
            let clang = options
                .which(&clang_name)
                .ok_or_else(|| format!("no `{clang_name}` on PATH"))?;
            for library in [WASI_LIBC, WASI_LIBCXX] {
                if !Path::new(library).is_file() {
                    return Err(format!("no `{library}`"));
                }
            }
            let version = run(Command::new(&clang).arg("--version"))
                .map_err(|f| format!("`{}` does not run: {}", f.command, f.output.trim()))?;
            let version = version.lines().next().unwrap_or_default();
            let version = version
                .split_whitespace()
                .skip_while(|w| *w != "version")
                .nth(1)
                .unwrap_or(version);
            versions.insert("clang".to_string(), version.to_string());
            let clangxx = clang.with_file_name(format!("clang++-{LLVM_MAJOR}"));
            programs.insert("clang", clang);
            programs.insert("clang++", clangxx);
            versions.insert(
                super::c::WIT_BINDGEN.to_string(),
                super::c::WIT_BINDGEN_VERSION.to_string(),
            );
            // Debian's wasi-libc is a prebuilt snapshot: its package
            // version names it.
            let libc = run(Command::new("dpkg-query").args([
                "--show",
                "--showformat=${Version}",
                WASI_LIBC_PACKAGE,
            ]));
            if let Ok(version) = libc {
                versions.insert(WASI_LIBC_PACKAGE.to_string(), version.trim().to_string());
            }
        }
        Toolchain::ComponentizePy => {
            let program = options.python_dir().join("bin").join("componentize-py");
            if !program.is_file() {
                return Err(format!("no `{}`", program.display()));
            }
            let output = run(Command::new(&program).arg("--version"))
                .map_err(|f| format!("`{}` does not run: {}", f.command, f.output.trim()))?;
            let version = output.split_whitespace().last().unwrap_or_default();
            if version != COMPONENTIZE_PY_VERSION {
                return Err(format!(
                    "`{}` is version {version}, not {COMPONENTIZE_PY_VERSION}",
                    program.display()
                ));
            }
            versions.insert("componentize-py".to_string(), version.to_string());
            programs.insert("componentize-py", program);
        }
        Toolchain::ComponentizeJs => {
            let node = options.which("node").ok_or("no `node` on PATH")?;
            let modules = options.node_dir().join("node_modules");
            let program = modules.join(".bin").join("componentize-js");
            let package = modules.join("@bytecodealliance/componentize-js/package.json");
            let version = std::fs::read_to_string(&package)
                .ok()
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
                .and_then(|json| json["version"].as_str().map(str::to_string))
                .ok_or_else(|| format!("no `{}`", package.display()))?;
            if version != COMPONENTIZE_JS_VERSION || !program.is_file() {
                return Err(format!(
                    "`{}` is version {version}, not {COMPONENTIZE_JS_VERSION}",
                    package.display()
                ));
            }
            versions.insert("componentize-js".to_string(), version);
            programs.insert("componentize-js", program);
            programs.insert("node", node);
        }
    }
    Ok(Tools {
        toolchain,
        programs,
        versions,
        path: options.path.clone(),
    })
}

/// The commands that install `toolchain`, or why they cannot run here.
fn install_steps(toolchain: Toolchain, options: &ToolchainOptions) -> Result<Vec<Command>, String> {
    let with_path = |mut command: Command| {
        if let Some(path) = &options.path {
            command.env("PATH", path);
        }
        command
    };
    match toolchain {
        Toolchain::Clang => {
            let apt = options
                .which("apt-get")
                .ok_or("there is no `apt-get` here (not a Debian system)")?;
            if !is_root() {
                return Err("installing Debian packages needs root".to_string());
            }
            // Another apt-get (an unattended upgrade) may hold dpkg's lock:
            // wait for it rather than fail.
            let mut update = Command::new(&apt);
            update.args(["update", "-q", "-o", "DPkg::Lock::Timeout=600"]);
            let mut install = Command::new(&apt);
            install
                .args(["install", "-y", "-q", "--no-install-recommends"])
                .args(["-o", "DPkg::Lock::Timeout=600"])
                .args(DEBIAN_PACKAGES)
                .env("DEBIAN_FRONTEND", "noninteractive");
            Ok(vec![with_path(update), with_path(install)])
        }
        Toolchain::ComponentizePy => {
            let python = options
                .which("python3")
                .ok_or("there is no `python3` on PATH to make its virtual environment")?;
            let dir = options.python_dir();
            let mut venv = Command::new(python);
            venv.args(["-m", "venv", "--clear"]).arg(&dir);
            let mut pip = Command::new(dir.join("bin").join("pip"));
            pip.args(["install", "-q", "--disable-pip-version-check"])
                .arg(format!("componentize-py=={COMPONENTIZE_PY_VERSION}"));
            Ok(vec![with_path(venv), with_path(pip)])
        }
        Toolchain::ComponentizeJs => {
            let npm = options
                .which("npm")
                .ok_or("there is no `npm` on PATH (Node.js 20 or later is needed)")?;
            let mut install = Command::new(npm);
            install
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(options.node_dir())
                .arg(format!(
                    "@bytecodealliance/componentize-js@{COMPONENTIZE_JS_VERSION}"
                ));
            Ok(vec![with_path(install)])
        }
    }
}

/// Whether the process runs as root (the owner of `/proc/self`).
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

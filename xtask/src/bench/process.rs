//! Whole-process timing: a command line run many times, from spawn to
//! exit, with its output captured (so a terminal never slows it down) and
//! its exit status checked on every run.
//!
//! Besides the wall-clock time, each run's CPU time (user + system, from
//! `getrusage` on the reaped children) is recorded: on a busy machine it
//! varies less, and where it is well below the wall-clock time the process
//! was waiting (on the disk, say) rather than working.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::cpu::{children_cpu, cpu_stats};
use super::stats::{Plan, Stats};

/// One run of a process.
#[derive(Debug)]
pub struct Run {
    /// From spawn to exit.
    pub wall: Duration,
    /// User plus system time of the process and the children it waited
    /// for; `None` where the platform does not say.
    pub cpu: Option<Duration>,
    /// What it printed.
    pub output: Output,
}

/// A command line to time.
#[derive(Debug, Clone)]
pub struct Proc {
    program: PathBuf,
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
    dir: Option<PathBuf>,
}

impl Proc {
    /// A command running `program` (a path, or a name found on `PATH`).
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
            args: Vec::new(),
            envs: Vec::new(),
            dir: None,
        }
    }

    /// Adds one argument.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Adds arguments.
    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable for the process.
    pub fn env(mut self, name: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.envs.push((name.into(), value.into()));
        self
    }

    /// Runs the process in `dir`.
    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// The command line as a user would type it, with paths under `root`
    /// shown relative to it and the bench's own environment shown first.
    pub fn display(&self, root: &Path) -> String {
        let prefix = format!("{}/", root.display());
        let show = |s: &std::ffi::OsStr| {
            // Paths under the root, also inside `name=path` arguments.
            let text = s.to_string_lossy().replace(&prefix, "");
            // Binaries from the tools cache are known by their name.
            let text = match text.rsplit_once("/bin/") {
                Some((_, bin)) if text.contains("wcompose/tools/") => bin.to_string(),
                _ => text,
            };
            shell_quote(&text)
        };
        let mut parts: Vec<String> = self
            .envs
            .iter()
            .map(|(k, v)| format!("{}={}", k.to_string_lossy(), show(v)))
            .collect();
        parts.push(show(self.program.as_os_str()));
        parts.extend(self.args.iter().map(|a| show(a)));
        parts.join(" ")
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null());
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        command
    }

    /// Runs the process once; fails, with the command line, status and
    /// output, unless it exits with status 0.
    pub fn run_once(&self) -> Result<Run> {
        let mut command = self.command();
        let cpu_before = children_cpu();
        let start = Instant::now();
        let output = command
            .output()
            .with_context(|| format!("failed to start `{}`", self.program.display()))?;
        let wall = start.elapsed();
        let cpu = children_cpu()
            .zip(cpu_before)
            .map(|(after, before)| after.saturating_sub(before));
        if !output.status.success() {
            bail!(
                "`{}` failed with {}\n--- stdout\n{}\n--- stderr\n{}",
                self.display(Path::new("/")),
                output.status,
                String::from_utf8_lossy(&output.stdout).trim_end(),
                String::from_utf8_lossy(&output.stderr).trim_end()
            );
        }
        Ok(Run { wall, cpu, output })
    }

    /// Times the process under `plan`: wall-clock and CPU time.
    pub fn time(&self, plan: &Plan) -> Result<(Stats, Option<Stats>)> {
        let mut cpu = Vec::new();
        let wall = plan.sample(|| {
            let run = self.run_once()?;
            cpu.push(run.cpu);
            Ok::<_, anyhow::Error>(run.wall)
        })?;
        Ok((wall, cpu_stats(&cpu, plan.warmups)))
    }

    /// The process's stdout from one run, as text.
    pub fn stdout(&self) -> Result<String> {
        let run = self.run_once()?;
        Ok(String::from_utf8_lossy(&run.output.stdout).into_owned())
    }
}

/// Quotes an argument for a POSIX shell when it needs quoting.
fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@,+%".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_show_paths_relative_to_the_root_and_quote_what_needs_it() {
        let proc = Proc::new("/repo/target/release/wcompose")
            .args(["run", "/repo/target/wcompose/seed.wasm", "--invoke"])
            .arg(r#"csv-to-json("a,b\n1,2")"#)
            .arg("--adapt=wasi_snapshot_preview1=/repo/target/adapter.wasm")
            .env("WCOMPOSE_CACHE_DIR", "/repo/target/bench/cache");
        assert_eq!(
            proc.display(Path::new("/repo")),
            r#"WCOMPOSE_CACHE_DIR=target/bench/cache target/release/wcompose run target/wcompose/seed.wasm --invoke 'csv-to-json("a,b\n1,2")' --adapt=wasi_snapshot_preview1=target/adapter.wasm"#
        );
    }

    #[test]
    fn reference_tools_are_shown_by_name() {
        let proc = Proc::new("/home/u/.cache/wcompose/tools/wac-cli-0.12.0/bin/wac").arg("compose");
        assert_eq!(proc.display(Path::new("/repo")), "wac compose");
    }

    #[cfg(unix)]
    #[test]
    fn a_run_records_the_cpu_time_of_the_process() {
        let run = Proc::new("sh")
            .args(["-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"])
            .run_once()
            .unwrap();
        let cpu = run.cpu.expect("getrusage reports children on unix");
        assert!(
            cpu > Duration::ZERO && cpu <= run.wall * 2,
            "{cpu:?} vs {:?}",
            run.wall
        );
    }

    #[test]
    fn a_failing_process_reports_its_command_and_output() {
        let error = Proc::new("sh")
            .args(["-c", "echo out; echo err >&2; exit 3"])
            .run_once()
            .unwrap_err()
            .to_string();
        assert!(error.contains("exit status: 3"), "{error}");
        assert!(error.contains("out") && error.contains("err"), "{error}");
    }
}

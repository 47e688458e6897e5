//! Workspace builds: `wcompose.toml` compositions built reproducibly, and
//! `wcompose.lock` recording exactly what went in.

use std::path::PathBuf;

use wcompose::build::{self, Outcome};
use wcompose::workspace::Workspace;

use crate::support;

struct Scratch {
    workspace: Workspace,
    lock: PathBuf,
    _dir: tempfile::TempDir,
}

/// The real workspace with outputs and the lockfile in a temporary folder.
fn scratch() -> Scratch {
    let dir = tempfile::tempdir().unwrap();
    let workspace = Workspace::new(support::root()).with_out_dir(dir.path().join("out"));
    Scratch {
        workspace,
        lock: dir.path().join("wcompose.lock"),
        _dir: dir,
    }
}

fn build(scratch: &Scratch, cores: &[PathBuf]) -> Outcome {
    build::build_with_lock(&scratch.workspace, cores, &scratch.lock)
        .unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)))
}

#[test]
fn a_second_build_with_nothing_changed_does_nothing() {
    let scratch = scratch();
    let cores = support::guest_cores();
    assert!(matches!(
        build(&scratch, cores),
        Outcome::Built {
            lock_changed: true,
            ..
        }
    ));
    let lock = std::fs::read(&scratch.lock).unwrap();
    assert!(matches!(build(&scratch, cores), Outcome::UpToDate(_)));
    assert_eq!(std::fs::read(&scratch.lock).unwrap(), lock);
}

#[test]
fn rebuilding_gives_byte_identical_outputs_and_the_same_lock() {
    let (first, second) = (scratch(), scratch());
    let cores = support::guest_cores();
    build(&first, cores);
    build(&second, cores);
    assert_eq!(
        std::fs::read(&first.lock).unwrap(),
        std::fs::read(&second.lock).unwrap()
    );
    let manifest = build::manifest(&first.workspace).unwrap();
    assert!(!manifest.compositions.is_empty());
    for name in manifest.compositions.keys() {
        let file = format!("{name}.wasm");
        assert_eq!(
            std::fs::read(first.workspace.out_dir.join(&file)).unwrap(),
            std::fs::read(second.workspace.out_dir.join(&file)).unwrap(),
            "{file} differs"
        );
    }
}

#[test]
fn the_lock_changes_exactly_when_an_input_changes() {
    let scratch = scratch();
    let cores = support::guest_cores().to_vec();
    build(&scratch, &cores);
    let before = std::fs::read_to_string(&scratch.lock).unwrap();

    // A deleted output is rebuilt, and the lock stays as it was.
    let manifest = build::manifest(&scratch.workspace).unwrap();
    let (name, _) = manifest.compositions.iter().next().unwrap();
    std::fs::remove_file(scratch.workspace.out_dir.join(format!("{name}.wasm"))).unwrap();
    assert!(matches!(
        build(&scratch, &cores),
        Outcome::Built {
            lock_changed: false,
            ..
        }
    ));
    assert_eq!(std::fs::read_to_string(&scratch.lock).unwrap(), before);

    // A changed guest core (here: an extra custom section) changes its
    // digest in the lock, and nothing else of the guests.
    let calculator = cores
        .iter()
        .position(|c| c.ends_with("calculator.wasm"))
        .unwrap();
    let changed = tempfile::tempdir().unwrap();
    let copy = changed.path().join("calculator.wasm");
    let mut bytes = std::fs::read(&cores[calculator]).unwrap();
    bytes.extend_from_slice(&[0, 5, 4, b'n', b'o', b't', b'e']);
    std::fs::write(&copy, bytes).unwrap();
    let mut changed_cores = cores.clone();
    changed_cores[calculator] = copy;
    assert!(matches!(
        build(&scratch, &changed_cores),
        Outcome::Built {
            lock_changed: true,
            ..
        }
    ));
    let after = std::fs::read_to_string(&scratch.lock).unwrap();
    let differing: Vec<_> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert!(!differing.is_empty());
    assert!(
        differing
            .iter()
            .all(|(a, _)| a.starts_with("core_sha256") || a.starts_with("sha256")),
        "{differing:#?}"
    );

    // Back to the original core: back to the original lock.
    build(&scratch, &cores);
    assert_eq!(std::fs::read_to_string(&scratch.lock).unwrap(), before);
}

//! The core modules whose function bodies passed validation, remembered in
//! the cache folder, so that composing, plugging or checking again does not
//! check the same bodies again.
//!
//! `compose`, `plug` and `check` validate the component they encode, as wac
//! does; checking the function bodies of its core modules is the largest
//! part of that (the seed composition: 7.9 M of the 13.7 M instructions of
//! validating, 22.5 M in all for `wcompose compose`). Those modules come
//! unchanged from the components composed, which change far less often
//! than the compositions that use them: a workspace composes the same
//! guests into several compositions, and again after every edit elsewhere.
//!
//! An entry is an empty file named by the BLAKE3 hash of the validator's
//! rules ([`wcompose_validate::RULES`]: its release and features) and of
//! the module's bytes, whole. Its presence says that the bodies of exactly
//! that module passed under exactly those rules, which is all that decides
//! whether they pass again: a core module sees nothing of the component
//! around it. Everything else is validated every time: the sections of
//! every module, known or not, and every component-level rule.
//!
//! Entries are written only after the whole component has validated, and
//! only for the modules whose bodies were checked then. As with the
//! compiled-code cache, whoever can write the folder is trusted, which is
//! why it is created private to the user; a record that cannot be written
//! only means that the bodies are checked again next time.

use std::path::PathBuf;

use crate::cache_dir::{self, create_private_dir, hex};

/// The record of core modules whose bodies passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownValid {
    dir: PathBuf,
}

impl KnownValid {
    /// The record kept in the cache folder `cache_dir` (in its `valid`
    /// folder, created when first written).
    pub fn new(cache_dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: cache_dir.into().join("valid"),
        }
    }

    /// The record in [`cache_dir::default_dir`], if there is one.
    pub fn default_location() -> Option<Self> {
        cache_dir::default_dir().map(Self::new)
    }

    /// The folder of entries.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    fn path(&self, module: &[u8]) -> PathBuf {
        let mut hasher = blake3::Hasher::new();
        hasher.update(wcompose_validate::RULES.as_bytes());
        hasher.update(&[0]);
        hasher.update(module);
        self.dir.join(hex(hasher.finalize().as_bytes()))
    }

    /// Whether the bodies of `module` passed before.
    fn contains(&self, module: &[u8]) -> bool {
        self.path(module).is_file()
    }

    /// Remembers that the bodies of `modules` passed; best effort.
    fn remember<'a>(&self, modules: impl IntoIterator<Item = &'a [u8]>) {
        let mut modules = modules.into_iter().peekable();
        if modules.peek().is_none() || create_private_dir(&self.dir).is_err() {
            return;
        }
        for module in modules {
            // The entry is empty, so it is whole as soon as it exists.
            let _ = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(self.path(module));
        }
    }
}

/// Validates a composed component as wac-graph's `encode` would (see
/// [`wcompose_validate::component`]), except for the function bodies of
/// the core modules that `known` holds; then records in `known` those it
/// checked. Without a record, everything is checked.
pub fn validate(bytes: &[u8], known: Option<&KnownValid>) -> Result<(), wcompose_validate::Error> {
    let Some(known) = known else {
        return wcompose_validate::component(bytes);
    };
    let checked = wcompose_validate::component_with(bytes, |module| known.contains(module))?;
    known.remember(checked.into_iter().filter_map(|range| bytes.get(range)));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A component with two core modules; the second has an invalid body
    /// when `broken`.
    fn component(broken: bool) -> Vec<u8> {
        let result = if broken { "i64.const 0" } else { "i32.const 0" };
        wat::parse_str(format!(
            "(component
               (core module (func (result i32) i32.const 1))
               (component (core module (func (result i32) {result}))))"
        ))
        .unwrap()
    }

    fn entries(known: &KnownValid) -> usize {
        std::fs::read_dir(known.dir()).map_or(0, |d| d.count())
    }

    #[test]
    fn bodies_that_passed_are_remembered_and_skipped() {
        let cache = tempfile::tempdir().unwrap();
        let known = KnownValid::new(cache.path());
        let valid = component(false);
        validate(&valid, Some(&known)).unwrap();
        assert_eq!(entries(&known), 2, "one entry per module checked");
        // Validating again finds both and writes nothing new.
        validate(&valid, Some(&known)).unwrap();
        assert_eq!(entries(&known), 2);
    }

    #[test]
    fn nothing_is_remembered_of_an_invalid_component() {
        let cache = tempfile::tempdir().unwrap();
        let known = KnownValid::new(cache.path());
        let broken = component(true);
        let expected = wcompose_validate::component(&broken).unwrap_err();
        let error = validate(&broken, Some(&known)).unwrap_err();
        assert_eq!(error.message(), expected.message());
        assert_eq!(entries(&known), 0);
        // The module with valid bodies is not excused by the other one, and
        // the invalid one is still caught once the valid one is known.
        validate(&component(false), Some(&known)).unwrap();
        assert_eq!(entries(&known), 2);
        assert!(validate(&broken, Some(&known)).is_err());
        assert_eq!(entries(&known), 2);
    }

    #[test]
    fn a_module_on_record_has_its_bodies_skipped() {
        // Only a record written by hand can hold an invalid module; that it
        // then passes shows that the record is what decides.
        let cache = tempfile::tempdir().unwrap();
        let known = KnownValid::new(cache.path());
        let broken = component(true);
        let modules: Vec<&[u8]> = wasmparser::Parser::new(0)
            .parse_all(&broken)
            .filter_map(|payload| match payload.unwrap() {
                wasmparser::Payload::ModuleSection {
                    unchecked_range, ..
                } => Some(&broken[unchecked_range.start as usize..unchecked_range.end as usize]),
                _ => None,
            })
            .collect();
        known.remember([modules[1]]);
        assert!(known.contains(modules[1]) && !known.contains(modules[0]));
        validate(&broken, Some(&known)).unwrap();
        assert!(validate(&broken, None).is_err());
    }

    #[test]
    fn entries_are_keyed_by_the_whole_module() {
        let known = KnownValid::new("unused");
        assert_ne!(known.path(b"\0asm a"), known.path(b"\0asm b"));
        assert_eq!(known.path(b"\0asm a"), known.path(b"\0asm a"));
        assert!(!known.contains(b"\0asm a"));
    }
}

//! Precompiled files: machine code that an engine compiled ahead of time
//! from WebAssembly (wasmtime's `.cwasm`, Wasmer's serialized modules,
//! native shared objects from `wasmedgec` or `wasmer compile`). They are not
//! WebAssembly and run only on the engine version and CPU they were compiled
//! for (the seed's pitfall 2), so every command names what it was given and
//! what to do instead.

use std::fmt;

use serde::Serialize;

/// The `e_ident[EI_OSABI]` that wasmtime writes into its ELF artifacts.
const ELFOSABI_WASMTIME: u8 = 200;
/// `e_flags` bit: the artifact is a compiled core module.
const EF_WASMTIME_MODULE: u32 = 1 << 0;
/// `e_flags` bit: the artifact is a compiled component.
const EF_WASMTIME_COMPONENT: u32 = 1 << 1;
/// `e_flags` bits: the artifact holds Pulley bytecode, which wasmtime's
/// portable interpreter runs on any CPU.
const EF_WASMTIME_PULLEY: u32 = (1 << 2) | (1 << 3);
/// The ELF section in which wasmtime records its version and settings.
const WASMTIME_ENGINE_SECTION: &[u8] = b".wasmtime.engine";
/// The header of Wasmer's serialized modules (`wasmer compile`, `.wasmu`).
const WASMER_HEADER: &[u8] = b"wasmer-universal";

/// What kind of precompiled file it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrecompiledKind {
    /// A core module compiled by wasmtime (`wasmtime compile`,
    /// `Engine::precompile_module`).
    WasmtimeModule,
    /// A component compiled by wasmtime (`wasmtime compile`,
    /// `Engine::precompile_component`).
    WasmtimeComponent,
    /// A module serialized by Wasmer (`wasmer compile`).
    Wasmer,
    /// A native executable or shared object, such as the `.so` that
    /// `wasmedgec` or `wasmer compile --llvm` can write.
    Native,
}

/// A precompiled file, as far as its headers tell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Precompiled {
    /// What it is.
    pub kind: PrecompiledKind,
    /// The version of the engine that compiled it (wasmtime records it).
    pub engine_version: Option<String>,
    /// The target triple it was compiled for, when recorded.
    pub target: Option<String>,
    /// The CPU architecture of its machine code (`x86_64`, `aarch64`,
    /// `pulley` for wasmtime's portable bytecode), when known.
    pub arch: Option<String>,
}

impl Precompiled {
    /// Whether this machine's CPU can run its code: unknown counts as no.
    pub fn runs_on_this_cpu(&self) -> bool {
        match self.arch.as_deref() {
            Some("pulley") => true,
            Some(arch) => arch == std::env::consts::ARCH,
            None => false,
        }
    }

    /// What to do with it instead, in one sentence.
    pub fn help(&self) -> String {
        let source = "give wcompose the `.wasm` it was compiled from";
        match self.kind {
            PrecompiledKind::WasmtimeModule | PrecompiledKind::WasmtimeComponent => format!(
                "{source}; the file itself runs only under `wasmtime run --allow-precompiled` \
                 with wasmtime {} on {}, so precompile on the machine that runs it",
                self.engine_version
                    .as_deref()
                    .unwrap_or("(unknown version)"),
                self.arch
                    .as_deref()
                    .unwrap_or("the CPU it was compiled for"),
            ),
            PrecompiledKind::Wasmer => format!(
                "{source}; the file itself runs only under the Wasmer version that wrote it, \
                 on the same kind of CPU"
            ),
            PrecompiledKind::Native => format!(
                "{source}; an AOT-compiled shared object runs only under the engine that wrote \
                 it (for example `wasmedgec` output under the same WasmEdge), on the same kind of CPU"
            ),
        }
    }
}

impl fmt::Display for Precompiled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PrecompiledKind::WasmtimeModule => {
                f.write_str("a core module precompiled by wasmtime")?
            }
            PrecompiledKind::WasmtimeComponent => {
                f.write_str("a component precompiled by wasmtime")?
            }
            PrecompiledKind::Wasmer => f.write_str("a module serialized by Wasmer")?,
            PrecompiledKind::Native => f.write_str("a native executable or shared object")?,
        }
        if let Some(version) = &self.engine_version {
            write!(f, " {version}")?;
        }
        match (&self.target, &self.arch) {
            (Some(target), _) => write!(f, " for {target}")?,
            (None, Some(arch)) => write!(f, " for {arch}")?,
            (None, None) => {}
        }
        match self.kind {
            PrecompiledKind::WasmtimeModule | PrecompiledKind::WasmtimeComponent => {
                f.write_str(" (a `.cwasm` from `wasmtime compile`)")
            }
            PrecompiledKind::Wasmer => f.write_str(" (from `wasmer compile`)"),
            PrecompiledKind::Native => Ok(()),
        }
    }
}

/// Recognises a precompiled file by its header; `None` for anything else,
/// including WebAssembly.
pub fn detect(bytes: &[u8]) -> Option<Precompiled> {
    if bytes.starts_with(WASMER_HEADER)
        || bytes.get(1..).is_some_and(|b| b.starts_with(WASMER_HEADER))
    {
        return Some(Precompiled {
            kind: PrecompiledKind::Wasmer,
            engine_version: None,
            target: None,
            arch: None,
        });
    }
    if bytes.starts_with(b"\x7fELF") {
        return Some(elf(bytes));
    }
    let native = |arch: Option<&str>| Precompiled {
        kind: PrecompiledKind::Native,
        engine_version: None,
        target: None,
        arch: arch.map(str::to_string),
    };
    // Mach-O (64-bit, either byte order) and PE executables.
    if bytes.starts_with(&[0xcf, 0xfa, 0xed, 0xfe]) || bytes.starts_with(&[0xfe, 0xed, 0xfa, 0xcf])
    {
        return Some(native(None));
    }
    if bytes.starts_with(b"MZ") {
        return Some(native(None));
    }
    None
}

/// Reads what an ELF header says; wasmtime's artifacts also name the
/// wasmtime version and target in their `.wasmtime.engine` section.
fn elf(bytes: &[u8]) -> Precompiled {
    let elf = Elf { bytes };
    let wasmtime = elf.byte(7) == Some(ELFOSABI_WASMTIME);
    let flags = elf.u32(48).unwrap_or(0);
    let mut arch = elf.u16(18).and_then(machine).map(str::to_string);
    if wasmtime && flags & EF_WASMTIME_PULLEY != 0 {
        arch = Some("pulley".to_string());
    }
    if !wasmtime {
        return Precompiled {
            kind: PrecompiledKind::Native,
            engine_version: None,
            target: None,
            arch,
        };
    }
    let kind = if flags & EF_WASMTIME_COMPONENT != 0 {
        PrecompiledKind::WasmtimeComponent
    } else if flags & EF_WASMTIME_MODULE != 0 {
        PrecompiledKind::WasmtimeModule
    } else {
        PrecompiledKind::WasmtimeComponent
    };
    let (engine_version, target) = elf
        .section(WASMTIME_ENGINE_SECTION)
        .map(engine_section)
        .unwrap_or_default();
    Precompiled {
        kind,
        engine_version,
        target,
        arch,
    }
}

/// The wasmtime version and target triple at the start of the
/// `.wasmtime.engine` section: a format byte (0), a length byte and the
/// version, then postcard-encoded settings that open with the target as a
/// length-prefixed string.
fn engine_section(data: &[u8]) -> (Option<String>, Option<String>) {
    let [0, len, rest @ ..] = data else {
        return (None, None);
    };
    let len = usize::from(*len);
    let Some(version) = rest.get(..len).and_then(|v| std::str::from_utf8(v).ok()) else {
        return (None, None);
    };
    let rest = &rest[len..];
    // A postcard length is a LEB128 varint; a target triple is short.
    let target = match rest {
        [n, tail @ ..] if *n < 0x80 => tail
            .get(..usize::from(*n))
            .and_then(|t| std::str::from_utf8(t).ok())
            .map(str::to_string),
        _ => None,
    };
    (Some(version.to_string()), target)
}

/// The architecture of an ELF `e_machine` value.
fn machine(value: u16) -> Option<&'static str> {
    Some(match value {
        3 => "x86",
        40 => "arm",
        62 => "x86_64",
        183 => "aarch64",
        243 => "riscv64",
        22 => "s390x",
        _ => return None,
    })
}

/// Little-endian, 64-bit ELF reading, enough for headers and section names.
struct Elf<'a> {
    bytes: &'a [u8],
}

impl<'a> Elf<'a> {
    fn byte(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    fn u16(&self, at: usize) -> Option<u16> {
        Some(u16::from_le_bytes(
            self.bytes.get(at..at + 2)?.try_into().ok()?,
        ))
    }

    fn u32(&self, at: usize) -> Option<u32> {
        Some(u32::from_le_bytes(
            self.bytes.get(at..at + 4)?.try_into().ok()?,
        ))
    }

    fn u64(&self, at: usize) -> Option<usize> {
        let value = u64::from_le_bytes(self.bytes.get(at..at + 8)?.try_into().ok()?);
        usize::try_from(value).ok()
    }

    /// The contents of the section called `name`.
    fn section(&self, name: &[u8]) -> Option<&'a [u8]> {
        // Only 64-bit little-endian files (class 2, data 1) are read.
        if self.byte(4) != Some(2) || self.byte(5) != Some(1) {
            return None;
        }
        let table = self.u64(40)?;
        let entry_size = usize::from(self.u16(58)?);
        let count = usize::from(self.u16(60)?);
        let names_index = usize::from(self.u16(62)?);
        let header = |index: usize| table.checked_add(index.checked_mul(entry_size)?);
        let contents = |index: usize| -> Option<&'a [u8]> {
            let at = header(index)?;
            let offset = self.u64(at + 24)?;
            let size = self.u64(at + 32)?;
            self.bytes.get(offset..offset.checked_add(size)?)
        };
        let names = contents(names_index)?;
        (0..count).find_map(|index| {
            let name_at = usize::try_from(self.u32(header(index)?)?).ok()?;
            let tail = names.get(name_at..)?;
            let end = tail.iter().position(|b| *b == 0)?;
            if &tail[..end] == name {
                contents(index)
            } else {
                None
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webassembly_and_text_are_not_precompiled() {
        assert_eq!(detect(b"\0asm\x01\0\0\0"), None);
        assert_eq!(detect(b"(module)"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn a_foreign_elf_file_is_native_code() {
        let mut elf = vec![0u8; 64];
        elf[..4].copy_from_slice(b"\x7fELF");
        elf[4] = 2;
        elf[5] = 1;
        elf[18] = 183;
        let found = detect(&elf).unwrap();
        assert_eq!(found.kind, PrecompiledKind::Native);
        assert_eq!(found.arch.as_deref(), Some("aarch64"));
    }

    #[test]
    fn the_engine_section_names_version_and_target() {
        let mut data = vec![0, 6];
        data.extend_from_slice(b"48.0.8");
        data.push(24);
        data.extend_from_slice(b"x86_64-unknown-linux-gnu");
        data.extend_from_slice(&[1, 2, 3]);
        assert_eq!(
            engine_section(&data),
            (
                Some("48.0.8".to_string()),
                Some("x86_64-unknown-linux-gnu".to_string())
            )
        );
        assert_eq!(engine_section(&[1, 2]), (None, None));
    }

    #[test]
    fn wasmer_artifacts_are_recognised() {
        let found = detect(b"\0wasmer-universal\0\0\0").unwrap();
        assert_eq!(found.kind, PrecompiledKind::Wasmer);
    }
}

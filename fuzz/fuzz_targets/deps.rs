//! A deps folder with a few stub components, built once per fuzzing process,
//! for the targets that check or compose arbitrary `.wac` text.

use std::path::PathBuf;
use std::sync::OnceLock;

const COMPONENTS: &[(&str, &str)] = &[
    (
        "t/calc.wit",
        "package t:calc;\ninterface ops { add: func(a: f64, b: f64) -> f64; }\nworld calc { export ops; }\n",
    ),
    (
        "t/user.wit",
        "package t:user;\npackage t:calc { interface ops { add: func(a: s32, b: f64) -> f64; } }\n\
         world user { import t:calc/ops; export run: func() -> f64; }\n",
    ),
    (
        "t/res.wit",
        "package t:res;\ninterface api { resource r { constructor(); get: func() -> u32; } }\n\
         world res { export api; import wasi:cli/environment@0.2.6; }\n\
         package wasi:cli@0.2.6 { interface environment { get-arguments: func() -> list<string>; } }\n",
    ),
];

/// The deps folder.
pub fn deps() -> &'static PathBuf {
    static DEPS: OnceLock<PathBuf> = OnceLock::new();
    DEPS.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("wcompose-fuzz-{}", std::process::id()));
        let wit = root.join("wit");
        for (path, text) in COMPONENTS {
            let file = wit.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        let deps = root.join("deps");
        wcompose::wit::stub_components(&wit, &deps).unwrap();
        deps
    })
}

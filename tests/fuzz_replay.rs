//! Replays every committed fuzz input through the fuzz targets' functions, on stable and
//! without libFuzzer: the seeds in `fuzz/corpus/<target>/` and the crashes in
//! `fuzz/artifacts/<target>/` (each crash a fuzzer found, kept once fixed, so it stays fixed).
//! `fuzz/fuzz_targets/*.rs` are one-line wrappers around the same `paperboy::fuzzing` functions.

use std::path::{Path, PathBuf};

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 3] = [
    ("parse_feed", paperboy::fuzzing::parse_feed),
    ("doi_find", paperboy::fuzzing::doi_find),
    ("html_text", paperboy::fuzzing::html_text),
];

/// The files in `dir`, sorted; none when it does not exist.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

fn replay(kind: &str) -> Vec<(String, usize)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind);
    let mut counts = Vec::new();
    for (name, target) in TARGETS {
        let files = inputs(&root.join(name));
        for f in &files {
            let data = std::fs::read(f).unwrap();
            let result = std::panic::catch_unwind(|| target(&data));
            assert!(result.is_ok(), "{name} fails on {}", f.display());
        }
        counts.push((name.to_string(), files.len()));
    }
    eprintln!("fuzz/{kind}: {counts:?}");
    counts
}

#[test]
fn every_committed_seed_passes_the_fuzz_targets() {
    let counts = replay("corpus");
    // A seed directory that went missing (renamed target, lost in a move) must not pass quietly.
    for (name, n) in &counts {
        assert!(*n >= 4, "fuzz/corpus/{name} holds {n} seeds");
    }
}

#[test]
fn every_committed_crash_input_stays_fixed() {
    let counts = replay("artifacts");
    let total: usize = counts.iter().map(|c| c.1).sum();
    assert!(
        total >= 2,
        "the crash inputs under fuzz/artifacts: {counts:?}"
    );
}

/// The fuzz crate names every target this replay knows, and only those, so neither drifts.
#[test]
fn the_fuzz_crate_declares_the_replayed_targets() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let mut files: Vec<String> = inputs(&root.join("fuzz_targets"))
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().to_string())
        .collect();
    files.sort();
    let mut names: Vec<String> = TARGETS.iter().map(|t| t.0.to_string()).collect();
    names.sort();
    assert_eq!(files, names, "fuzz/fuzz_targets/ against this replay");
    for name in &names {
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "fuzz/Cargo.toml lacks [[bin]] {name}"
        );
        let src = std::fs::read_to_string(root.join(format!("fuzz_targets/{name}.rs"))).unwrap();
        assert!(
            src.contains(&format!("paperboy::fuzzing::{name}(data)")),
            "fuzz/fuzz_targets/{name}.rs must call paperboy::fuzzing::{name}"
        );
    }
    assert!(
        root.join("README.md").is_file(),
        "fuzz/README.md (named by fuzz/Cargo.toml) says how to fuzz"
    );
}

//! Embeds the rule files under `jurisdictions/` into the binary, so `onus` runs from any
//! directory. Generates `$OUT_DIR/embedded_rules.rs`: a sorted list of (path, contents).

use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dir = root.join("jurisdictions");
    println!("cargo:rerun-if-changed=jurisdictions");
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    let mut code = String::from(
        "/// Rule files embedded at build time: (path, contents), sorted by path.\npub static RULE_FILES: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(&root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        code.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            f.display().to_string()
        ));
    }
    code.push_str("];\n");
    // The rule-set version of the embedded files, computed here so that running onus does not
    // hash a megabyte and a half of rule text on every start. Same algorithm as
    // `resolve::version_hash`: SHA-256 over (path, NUL, text, NUL) sorted by path.
    use sha2::{Digest, Sha256};
    let mut items: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            let rel = f
                .strip_prefix(&root)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            (rel, std::fs::read_to_string(f).unwrap_or_default())
        })
        .collect();
    items.sort();
    let mut h = Sha256::new();
    for (p, t) in &items {
        h.update(p.as_bytes());
        h.update([0]);
        h.update(t.as_bytes());
        h.update([0]);
    }
    let version: String = h
        .finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect();
    code.push_str(&format!(
        "/// Rule-set version of the embedded files.\npub static VERSION: &str = {version:?};\n"
    ));
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("embedded_rules.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
    }
}

//! Source files and spans.
//!
//! This is the only module that reads files from disk. Every other stage works on
//! [`Sources`], an arena of `(path, text)` pairs, and on [`Span`]s into it.

use std::fmt;
use std::path::{Component, Path, PathBuf};

/// Largest input file onus reads, in bytes. Rule and scenario files are hand-written; anything
/// larger is almost certainly a mistake and would only slow every later stage down.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Index of a file in [`Sources`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, range: std::ops::Range<usize>) -> Span {
        Span {
            file,
            start: u32::try_from(range.start).unwrap_or(u32::MAX),
            end: u32::try_from(range.end).unwrap_or(u32::MAX),
        }
    }
}

/// One loaded file: the path as the user should see it, and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// All files of one run.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

/// A 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read `{path}`: {reason}")]
    Io { path: String, reason: String },
    #[error("`{path}` is {size} bytes; the limit is {MAX_FILE_BYTES} bytes")]
    TooLarge { path: String, size: u64 },
    #[error("`{path}` is not valid UTF-8 (byte {offset})")]
    NotUtf8 { path: String, offset: usize },
    #[error("`{path}` links outside the rule directory `{root}`")]
    OutsideRoot { path: String, root: String },
}

impl Sources {
    pub fn new() -> Sources {
        Sources::default()
    }

    pub fn add(&mut self, path: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile {
            path: path.into(),
            text: text.into(),
        });
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn path(&self, id: FileId) -> &str {
        self.get(id).map_or("<unknown>", |f| f.path.as_str())
    }

    pub fn text(&self, id: FileId) -> &str {
        self.get(id).map_or("", |f| f.text.as_str())
    }

    pub fn ids(&self) -> impl Iterator<Item = FileId> + '_ {
        (0..self.files.len()).map(|i| FileId(u32::try_from(i).unwrap_or(u32::MAX)))
    }

    /// The text a span covers ("" for a span outside the file).
    pub fn slice(&self, span: Span) -> &str {
        self.text(span.file)
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// Line and column (1-based, columns counted in characters) of a byte offset.
    pub fn line_col(&self, file: FileId, offset: u32) -> LineCol {
        let text = self.text(file);
        let offset = floor_char_boundary(text, (offset as usize).min(text.len()));
        let before = text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        LineCol { line, col }
    }

    /// The full text of a 1-based line, without its newline.
    pub fn line_text(&self, file: FileId, line: usize) -> &str {
        self.text(file)
            .split('\n')
            .nth(line.saturating_sub(1))
            .map_or("", |l| l.strip_suffix('\r').unwrap_or(l))
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Reads one file, enforcing the size limit and UTF-8.
pub fn read_file(path: &Path) -> Result<String, ReadError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| ReadError::Io {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge {
            path: shown,
            size: meta.len(),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| ReadError::Io {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        path: shown,
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Lists the `.toml` files under `root`, sorted, without following links that lead outside it.
///
/// Links inside `root` are followed, but each real directory is read once, so a link back up
/// the tree (a loop) ends instead of listing the same files again at every level.
pub fn list_toml_files(root: &Path) -> Result<Vec<PathBuf>, ReadError> {
    let io = |path: &Path, e: std::io::Error| ReadError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let canonical_root = root.canonicalize().map_err(|e| io(root, e))?;
    let mut out = Vec::new();
    let mut seen_dirs = std::collections::BTreeSet::new();
    seen_dirs.insert(canonical_root.clone());
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(|e| io(&dir, e))? {
            entries.push(entry.map_err(|e| io(&dir, e))?.path());
        }
        // Directory order is the file system's; sort so the same tree gives the same walk.
        entries.sort();
        for path in entries {
            let real = path.canonicalize().map_err(|e| io(&path, e))?;
            if !real.starts_with(&canonical_root) {
                return Err(ReadError::OutsideRoot {
                    path: path.display().to_string(),
                    root: root.display().to_string(),
                });
            }
            if real.is_dir() {
                if seen_dirs.insert(real) {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A path shown relative to `base` with forward slashes, so output is the same on every machine.
pub fn display_path(path: &Path, base: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".to_string()),
            Component::RootDir => Some(String::new()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so
/// a reader never sees a half-written file and a failure leaves any previous file intact.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = write_beside(path, bytes)?;
    let result = std::fs::rename(&tmp, path);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes `bytes` to a temporary file in `path`'s directory, synced, and returns its path.
fn write_beside(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.onus-tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// What [`write_new`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    Created,
    /// The file was already there with these very bytes.
    Unchanged,
}

/// Writes `bytes` to `path` only if no file is there (or one with the same bytes): a
/// temporary file in the same directory is hard-linked into place, which fails rather than
/// replace a file created meanwhile, so nothing a user wrote is ever clobbered. A different
/// existing file is an `AlreadyExists` error.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<Written> {
    match std::fs::read(path) {
        Ok(old) if old == bytes => return Ok(Written::Unchanged),
        Ok(_) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "a different file is already there",
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let tmp = write_beside(path, bytes)?;
    let result = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    result.map(|()| Written::Created)
}

/// A fresh, private, empty directory under the system's temporary directory, removed with
/// everything in it when dropped (used to print a briefing to PDF).
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(prefix: &str) -> std::io::Result<TempDir> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let base = std::env::temp_dir();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let mut last = None;
        for _ in 0..64 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = base.join(format!("{prefix}-{}-{nanos}-{n}", std::process::id()));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(TempDir { path }),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("no temporary directory")))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
        let p = self.path.join(name);
        std::fs::write(&p, bytes)?;
        Ok(p)
    }

    pub fn create(&self, name: &str) -> std::io::Result<std::fs::File> {
        std::fs::File::create(self.path.join(name))
    }

    /// The file's bytes; empty if it is not there.
    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path.join(name)).unwrap_or_default()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Creates a directory and its parents (for output).
pub fn create_dir_all(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// The `.toml` files under `dir` at git revision `rev` of the repository in the current
/// directory, as (path, text), sorted: for comparing against the rules of an earlier revision.
pub fn git_tree_files(rev: &str, dir: &str) -> Result<Vec<(String, String)>, ReadError> {
    let io = |reason: String| ReadError::Io {
        path: format!("{rev}:{dir}"),
        reason,
    };
    if rev.starts_with('-') {
        return Err(io("a revision cannot start with `-`".into()));
    }
    let list = std::process::Command::new("git")
        .args(["ls-tree", "-r", "--name-only", rev, "--", dir])
        .output()
        .map_err(|e| io(format!("cannot run git: {e}")))?;
    if !list.status.success() {
        return Err(io(String::from_utf8_lossy(&list.stderr).trim().to_string()));
    }
    let mut out = Vec::new();
    for path in String::from_utf8_lossy(&list.stdout).lines() {
        if !path.ends_with(".toml") {
            continue;
        }
        let show = std::process::Command::new("git")
            .args(["show", &format!("{rev}:{path}")])
            .output()
            .map_err(|e| io(format!("cannot run git: {e}")))?;
        if !show.status.success() {
            return Err(io(String::from_utf8_lossy(&show.stderr).trim().to_string()));
        }
        if show.stdout.len() as u64 > MAX_FILE_BYTES {
            return Err(ReadError::TooLarge {
                path: path.to_string(),
                size: show.stdout.len() as u64,
            });
        }
        let text = String::from_utf8(show.stdout).map_err(|e| ReadError::NotUtf8 {
            path: path.to_string(),
            offset: e.utf8_error().valid_up_to(),
        })?;
        out.push((path.to_string(), text));
    }
    out.sort();
    Ok(out)
}

/// Every scenario file under the given paths (files are taken as they are; directories are
/// searched for `.toml` files that contain a `[scenario]` table), sorted.
pub fn scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ReadError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            for f in list_toml_files(p)? {
                let text = read_file(&f)?;
                if crate::syntax::looks_like_scenario(&text) {
                    out.push(f);
                }
            }
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

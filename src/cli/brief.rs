//! `onus brief`: writes a briefing for people who will not read TOML.
//!
//! Markdown on stdout, or to `-o FILE.md`; self-contained HTML to `-o FILE.html`; with `--pdf`,
//! also a PDF printed from the HTML by headless Chromium (`-o FILE.pdf` for the PDF alone).
//! Files are written through a temporary file and a rename (`source::write_atomic`), and `-o`
//! refuses to overwrite the scenario, a `.toml` file, or any file that reads as a scenario or
//! rule file.

use super::{EXIT_INVALID, EXIT_OK};
use crate::Session;
use crate::eval::{self, Options};
use crate::ir::Scenario;
use crate::report;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest a Chromium print may take before it is stopped.
const PDF_TIMEOUT: Duration = Duration::from_secs(120);

/// Browser executables tried on `PATH`, in order (`ONUS_CHROMIUM` overrides them).
const BROWSERS: [&str; 5] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Markdown,
    Html,
    Pdf,
}

#[allow(clippy::too_many_arguments)]
pub fn run(
    s: &Session,
    sc: &Scenario,
    opts: &Options,
    scenario_path: &Path,
    out_file: Option<&Path>,
    pdf: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    // Decide every file to write, and refuse the dangerous ones, before doing any work.
    let (main, pdf_path) = match out_file {
        None if pdf => {
            let _ = writeln!(
                err,
                "error[E0002]: `--pdf` needs an output file\n  = help: e.g. `onus brief SCENARIO -o briefing.pdf --pdf`"
            );
            return EXIT_INVALID;
        }
        None => (None, None),
        Some(p) => {
            let ext = p
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            let format = match ext.as_str() {
                "md" | "markdown" => Format::Markdown,
                "html" | "htm" => Format::Html,
                "pdf" if pdf => Format::Pdf,
                "pdf" => {
                    let _ = writeln!(
                        err,
                        "error[E0002]: `{}` is a PDF, which needs `--pdf`\n  = help: `--pdf` prints the HTML briefing through headless Chromium",
                        p.display()
                    );
                    return EXIT_INVALID;
                }
                "toml" => {
                    let _ = writeln!(
                        err,
                        "error[E0002]: refusing to write the briefing to `{}`: onus never writes `.toml` files, which hold scenarios and rules\n  = help: write to a `.md` or `.html` file",
                        p.display()
                    );
                    return EXIT_INVALID;
                }
                _ => {
                    let _ = writeln!(
                        err,
                        "error[E0002]: cannot tell the format of `{}` from its extension\n  = help: use `.md` (Markdown), `.html` (HTML) or `.pdf` with `--pdf`",
                        p.display()
                    );
                    return EXIT_INVALID;
                }
            };
            let pdf_path = match format {
                Format::Pdf => Some(p.to_path_buf()),
                _ if pdf => Some(p.with_extension("pdf")),
                _ => None,
            };
            let main = (format != Format::Pdf).then(|| (p.to_path_buf(), format));
            (main, pdf_path)
        }
    };
    for p in main.iter().map(|(p, _)| p).chain(pdf_path.iter()) {
        if let Some(why) = refusal(p, scenario_path) {
            let _ = writeln!(
                err,
                "error[E0002]: refusing to overwrite `{}`: {why}\n  = help: choose another output file; onus never overwrites its inputs",
                p.display()
            );
            return EXIT_INVALID;
        }
    }
    let browser = if pdf_path.is_some() {
        match find_browser() {
            Some(b) => Some(b),
            None if main.is_none() => {
                let _ = writeln!(err, "{}", no_browser_message(pdf_path.as_deref()));
                return EXIT_INVALID;
            }
            None => None,
        }
    } else {
        None
    };

    let outcome = eval::evaluate(&s.rules, sc, opts);
    let contested = eval::contested(&s.rules, sc, opts);
    let contested = contested.as_deref().map_err(|n| *n);

    let Some((main_path, format)) = &main else {
        if let (Some(pdf_path), Some(browser)) = (&pdf_path, &browser) {
            let html = report::brief::html(&s.rules, sc, &outcome, contested);
            return write_pdf(&html, browser, pdf_path, out, err);
        }
        // Markdown on stdout.
        let md = report::brief::markdown(&s.rules, sc, &outcome, contested);
        let _ = out.write_all(md.as_bytes());
        return EXIT_OK;
    };
    let html = (*format == Format::Html || pdf_path.is_some())
        .then(|| report::brief::html(&s.rules, sc, &outcome, contested));
    let text = match (format, &html) {
        (Format::Html, Some(h)) => h.clone(),
        _ => report::brief::markdown(&s.rules, sc, &outcome, contested),
    };
    if let Err(e) = crate::source::write_atomic(main_path, text.as_bytes()) {
        let _ = writeln!(
            err,
            "error[E0002]: cannot write `{}`: {e}",
            main_path.display()
        );
        return EXIT_INVALID;
    }
    let _ = writeln!(out, "wrote {}", main_path.display());
    match (&pdf_path, &browser) {
        (Some(p), Some(b)) => write_pdf(html.as_deref().unwrap_or_default(), b, p, out, err),
        (Some(p), None) => {
            let _ = writeln!(err, "{}", no_browser_message(Some(p)));
            EXIT_INVALID
        }
        _ => EXIT_OK,
    }
}

fn no_browser_message(pdf: Option<&Path>) -> String {
    let looked = match std::env::var_os("ONUS_CHROMIUM") {
        Some(p) => format!(
            "ONUS_CHROMIUM names `{}`, which is not a file",
            Path::new(&p).display()
        ),
        None => format!("looked for {} on PATH", BROWSERS.join(", ")),
    };
    format!(
        "error[E0002]: cannot print `{}`: Chromium is not installed ({looked})\n  = help: install it (Debian and Ubuntu: `apt-get install chromium`) or set ONUS_CHROMIUM to the browser's executable; or write `-o briefing.html` and print it from any browser",
        pdf.map_or_else(|| "the PDF".into(), |p| p.display().to_string()),
    )
}

/// Why `path` must not be written, if it must not: it is the scenario, or a `.toml` file, or
/// an existing file that reads as a scenario or a rule file.
fn refusal(path: &Path, scenario: &Path) -> Option<&'static str> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    {
        return Some("onus never writes `.toml` files, which hold scenarios and rules");
    }
    let same = match (path.canonicalize(), scenario.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => path == scenario,
    };
    if same {
        return Some("it is the scenario file");
    }
    if path.is_dir() {
        return Some("it is a directory");
    }
    if path.exists() {
        if let Ok(text) = crate::source::read_file(path) {
            if crate::syntax::looks_like_scenario(&text) {
                return Some("it reads as a scenario file");
            }
            if looks_like_rules(&text) {
                return Some("it reads as a rule file");
            }
        }
    }
    None
}

/// Whether a text has the tables of a rule file.
fn looks_like_rules(text: &str) -> bool {
    const TABLES: [&str; 11] = [
        "[instrument]",
        "[[fact]]",
        "[[enum]]",
        "[[definition]]",
        "[[role]]",
        "[[obligation]]",
        "[[exemption]]",
        "[[question]]",
        "[[penalty]]",
        "[[amend]]",
        "[[instrument.status]]",
    ];
    text.lines().any(|l| TABLES.contains(&l.trim()))
}

/// The browser to print with: `ONUS_CHROMIUM` when set, else the first of [`BROWSERS`] on
/// `PATH`.
fn find_browser() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ONUS_CHROMIUM") {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| BROWSERS.iter().map(move |b| dir.join(b)))
        .find(|c| c.is_file())
}

fn write_pdf(
    html: &str,
    browser: &Path,
    pdf_path: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    match print_pdf(html, browser) {
        Ok(bytes) => {
            if let Err(e) = crate::source::write_atomic(pdf_path, &bytes) {
                let _ = writeln!(
                    err,
                    "error[E0002]: cannot write `{}`: {e}",
                    pdf_path.display()
                );
                return EXIT_INVALID;
            }
            let _ = writeln!(out, "wrote {}", pdf_path.display());
            EXIT_OK
        }
        Err(why) => {
            let _ = writeln!(
                err,
                "error[E0002]: cannot print `{}` with `{}`: {why}\n  = help: write `-o briefing.html` and print it from a browser",
                pdf_path.display(),
                browser.display()
            );
            EXIT_INVALID
        }
    }
}

/// `file://` URL of an absolute path, percent-encoded.
fn file_url(path: &Path) -> String {
    let p = path.to_string_lossy().replace('\\', "/");
    let mut url = String::from("file://");
    if !p.starts_with('/') {
        url.push('/');
    }
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~' | b':') {
            url.push(char::from(b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Prints `html` to PDF with headless Chromium in a fresh profile, with networking features
/// off, and returns the PDF's bytes.
fn print_pdf(html: &str, browser: &Path) -> Result<Vec<u8>, String> {
    let dir = crate::source::TempDir::new("onus-brief")
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    print_in(&dir, html, browser)
}

fn print_in(dir: &crate::source::TempDir, html: &str, browser: &Path) -> Result<Vec<u8>, String> {
    let tmp = |e: std::io::Error| format!("cannot write a temporary file: {e}");
    let page = dir.write("briefing.html", html.as_bytes()).map_err(tmp)?;
    let pdf = dir.path().join("briefing.pdf");
    let profile = dir.path().join("profile");
    let log = dir.create("chromium.log").map_err(tmp)?;
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(file_url(&page))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .map_err(|e| format!("cannot start it: {e}"))?;
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > PDF_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "it did not finish within {} seconds",
                    PDF_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("cannot wait for it: {e}")),
        }
    };
    let bytes = dir.read("briefing.pdf");
    if bytes.starts_with(b"%PDF") {
        return Ok(bytes);
    }
    let log = String::from_utf8_lossy(&dir.read("chromium.log")).into_owned();
    let tail: Vec<&str> = log.lines().rev().take(3).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(format!(
        "it exited with {status} without writing a PDF{}",
        if tail.is_empty() {
            String::new()
        } else {
            format!(": {}", tail.join(" / "))
        }
    ))
}

//! `onus brief`: briefing documents. Markdown for every bundled scenario and HTML for a few are
//! locked by snapshots; hostile input is shown as text; output is deterministic; `-o` writes
//! atomically and never overwrites an input; `--pdf` prints through headless Chromium or says
//! why it cannot; and the HTML renders in Chromium at A4 width without running any script.
//!
//! The browser tests print "skipped: chromium not installed" and pass when there is no
//! Chromium (`apt-get install chromium`; `.ci/run` installs it).

use crate::support::{onus, rel, root};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TOY_RULES: &str = "tests/data/brief/rules";
const TOY: &str = "tests/data/brief/contested.toml";
const HOSTILE_RULES: &str = "tests/data/brief/hostile-rules";
const HOSTILE: &str = "tests/data/brief/hostile.toml";

/// The embedded rule set's version changes with every edit of a rule file; snapshots name it
/// by its role instead.
fn redact(text: &str) -> String {
    let v = onus::Session::embedded().rules.version;
    if v.is_empty() {
        return text.to_string();
    }
    text.replace(&v, "[rule-set version]")
}

/// A fresh, empty directory for one test, removed (with any browser profile in it) when the
/// test ends.
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("onus-brief-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

/// Runs `onus brief ARGS -o DIR/NAME` and returns the file's text.
fn brief_to_file(dir: &Path, name: &str, args: &[&str]) -> String {
    let out = dir.join(name);
    let out_s = out.to_string_lossy().into_owned();
    let mut all = vec!["brief"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", &out_s]);
    let (code, stdout, err) = onus(&all);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("wrote "), "{stdout}");
    std::fs::read_to_string(&out).unwrap()
}

#[test]
fn markdown() {
    let mut count = 0;
    insta::glob!("../../scenarios", "**/*.toml", |path| {
        count += 1;
        let (code, out, err) = onus(&["brief", &rel(path)]);
        assert_eq!(code, 0, "{err}");
        insta::assert_snapshot!(redact(&out));
    });
    assert!(count >= 5, "expected the bundled scenarios, found {count}");
}

#[test]
fn markdown_of_a_contested_chain() {
    // Exercises what the bundled scenarios may not: a contested reading, a computed penalty,
    // a deadline, a pending duty, an exemption and an open question.
    let (code, out, err) = onus(&["brief", "--rules", TOY_RULES, TOY]);
    assert_eq!(code, 0, "{err}");
    for part in [
        "## 1. Executive summary",
        "## 2. The chain",
        "## 3. Obligation matrix",
        "## 4. Per actor",
        "## 5. Timeline",
        "## 6. Open questions",
        "## 7. Contested points",
        "## 8. Appendix",
    ] {
        assert!(out.contains(part), "missing {part}");
    }
    assert!(out.contains("EUR 40 m"), "computed exposure");
    assert!(
        out.contains("To ask Corner Shop"),
        "question addressed to its actor"
    );
    assert!(
        out.contains("counts\\_base: cumulative"),
        "contested reading"
    );
    assert!(out.contains("(<https://example.org/toy-act?part=1&amp;lang=en>)"));
    insta::assert_snapshot!(out);
}

#[test]
fn the_as_of_date_is_an_input() {
    let (code, out, err) = onus(&["brief", "--rules", TOY_RULES, TOY, "--as-of", "2025-06-01"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("| As of | 2025-06-01 |"), "{out}");
    // Before 2026-02-01 the safety framework is pending, not binding.
    assert!(
        out.contains("pending — §3 safety framework (from 2026-02-01)"),
        "{out}"
    );
}

#[test]
fn html() {
    let dir = scratch("html");
    for (name, args) in [
        ("html_toy_contested", vec!["--rules", TOY_RULES, TOY]),
        (
            "html_eu_finetune_unknown_base_compute",
            vec!["scenarios/eu/eu-finetune-unknown-base-compute.toml"],
        ),
        (
            "html_us_co_hiring_while_stayed",
            vec!["scenarios/us/us-co-hiring-while-stayed.toml"],
        ),
    ] {
        let html = brief_to_file(&dir, &format!("{name}.html"), &args);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(
            html.contains("@page {") && html.contains("size: A4;"),
            "prints on A4"
        );
        assert!(!html.to_ascii_lowercase().contains("<script"), "no scripts");
        assert!(!html.contains("src="), "nothing loaded from anywhere");
        assert!(!html.contains("@import"), "no fetched CSS");
        for (i, _) in html.match_indices("url(") {
            assert!(
                html[i + 4..].starts_with('#'),
                "a URL that is not a fragment"
            );
        }
        for href in attribute_values(&html, "href") {
            assert!(
                href.starts_with('#')
                    || href.starts_with("https://")
                    || href.starts_with("http://"),
                "{href}"
            );
        }
        insta::assert_snapshot!(name, redact(&html));
    }
}

/// The values of every `NAME="…"` attribute in a document.
fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let pat = format!(" {name}=\"");
    html.match_indices(&pat)
        .map(|(i, _)| {
            let rest = &html[i + pat.len()..];
            rest[..rest.find('"').unwrap_or(rest.len())].to_string()
        })
        .collect()
}

/// Markdown with its fenced code blocks removed: what a renderer interprets as markup.
fn outside_code(md: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in md.lines() {
        let ticks: String = line.chars().take_while(|c| *c == '`').collect();
        match &fence {
            Some(f) if ticks.len() >= f.len() && line.trim_end() == ticks => fence = None,
            Some(_) => {}
            None if ticks.len() >= 3 => fence = Some(ticks),
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// The number of unescaped `|` in a line.
fn pipes(line: &str) -> usize {
    let b = line.as_bytes();
    (0..b.len())
        .filter(|&i| b[i] == b'|' && (i == 0 || b[i - 1] != b'\\'))
        .count()
}

#[test]
fn hostile_input_is_shown_as_text_in_markdown() {
    let (code, md, err) = onus(&["brief", "--rules", HOSTILE_RULES, HOSTILE]);
    assert_eq!(code, 0, "{err}");
    let text = outside_code(&md);
    let lower = text.to_ascii_lowercase();
    for raw in [
        "<script", "<img", "<iframe", "<!--", "<b>", "<svg", "<a ", "<style", "</",
    ] {
        assert!(!lower.contains(raw), "raw `{raw}` in the Markdown");
    }
    // No link or image: every `](` is escaped.
    for (i, _) in text.match_indices("](") {
        assert_eq!(
            &text[i - 1..i],
            "\\",
            "link syntax near {}",
            &text[i.saturating_sub(40)..i + 2]
        );
    }
    // The hostile strings are there, as text.
    assert!(text.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"));
    assert!(text.contains("\\[click me\\](javascript:document.title='pwned')"));
    assert!(text.contains("\\!\\[img\\](http://example.org/x.png)"));
    assert!(text.contains("Source (not a web link, shown as text): javascript:"));
    // Every table row has as many cells as its header.
    let mut expected = None;
    for line in text.lines() {
        if line.starts_with('|') {
            let n = pipes(line);
            match expected {
                None => expected = Some(n),
                Some(e) => assert_eq!(n, e, "table row with a stray pipe: {line}"),
            }
        } else {
            expected = None;
        }
    }
    // No line of prose starts a list, heading or quote that the input asked for.
    assert!(!text.contains("\n- list"), "list syntax from a name");
    // Mermaid: one quoted label per node line, no directive from the input.
    let start = md.find("```mermaid\n").unwrap() + 11;
    let block = &md[start..start + md[start..].find("```").unwrap()];
    for line in block.lines() {
        let t = line.trim_start();
        assert!(
            ["flowchart", "subgraph ", "end", "n", "a"]
                .iter()
                .any(|p| t.starts_with(p)),
            "unexpected Mermaid statement: {line}"
        );
        assert!(
            t.matches('"').count() <= 2,
            "quote escaped its label: {line}"
        );
        assert!(!t.contains('<') && !t.contains('%'), "{line}");
    }
    // The reasoning traces keep the text exactly, inside a fence it cannot close.
    assert!(md.contains("shop<script>document.title='pwned'</script>|x"));
}

#[test]
fn hostile_input_is_shown_as_text_in_html() {
    let dir = scratch("hostile-html");
    let html = brief_to_file(&dir, "hostile.html", &["--rules", HOSTILE_RULES, HOSTILE]);
    let lower = html.to_ascii_lowercase();
    for raw in [
        "<script",
        "<img",
        "<iframe",
        "<!--",
        "<b>",
        "<svg onload",
        "<a href=\"javascript",
        "onerror=\"",
        "onmouseover=\"",
        "onload=\"",
        "</pre><",
    ] {
        assert!(!lower.contains(raw), "raw `{raw}` in the HTML");
    }
    assert_eq!(
        lower.matches("<style").count(),
        1,
        "only the briefing's own style"
    );
    for href in attribute_values(&html, "href") {
        assert!(
            href.starts_with('#') || href.starts_with("https://") || href.starts_with("http://"),
            "{href}"
        );
    }
    assert!(html.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"));
    assert!(
        html.contains("Evil &quot; onmouseover=&quot;document.title=&#39;pwned&#39;&quot; Lab")
    );
    assert!(html.contains("Source (not a web link, shown as text): javascript:"));
    assert!(
        html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';")
    );
}

#[test]
fn briefings_are_deterministic() {
    let dir = scratch("deterministic");
    for args in [
        vec!["--rules", TOY_RULES, TOY],
        vec!["scenarios/eu/eu-finetune-unknown-base-compute.toml"],
    ] {
        let a = onus(&[&["brief"], args.as_slice()].concat());
        let b = onus(&[&["brief"], args.as_slice()].concat());
        assert_eq!(a.0, 0, "{}", a.2);
        assert_eq!(a.1, b.1, "Markdown differs between runs");
        let h1 = brief_to_file(&dir, "a.html", &args);
        let h2 = brief_to_file(&dir, "b.html", &args);
        assert_eq!(h1, h2, "HTML differs between runs");
    }
}

#[test]
fn output_files_are_written_whole_and_inputs_never_overwritten() {
    let dir = scratch("files");
    let sc = dir.join("chain.toml");
    std::fs::copy(root().join(TOY), &sc).unwrap();
    let sc_s = sc.to_string_lossy().into_owned();
    let original = std::fs::read_to_string(&sc).unwrap();
    let run = |out: &Path, extra: &[&str]| {
        let out_s = out.to_string_lossy().into_owned();
        let mut args = vec!["brief", "--rules", TOY_RULES, &sc_s, "-o", &out_s];
        args.extend_from_slice(extra);
        onus(&args)
    };

    // The scenario itself, and any `.toml` file.
    let (code, _, err) = run(&sc, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("refusing"), "{err}");
    let (code, _, err) = run(&dir.join("new.toml"), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(!dir.join("new.toml").exists());
    // A file that reads as a scenario or a rule file, whatever its name.
    let disguised = dir.join("notes.md");
    std::fs::write(&disguised, &original).unwrap();
    let (code, _, err) = run(&disguised, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("reads as a scenario"), "{err}");
    let rules = dir.join("rules.html");
    let rule_text = std::fs::read_to_string(root().join(TOY_RULES).join("toy-act.toml")).unwrap();
    std::fs::write(&rules, &rule_text).unwrap();
    let (code, _, err) = run(&rules, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("reads as a rule file"), "{err}");
    assert_eq!(std::fs::read_to_string(&sc).unwrap(), original);
    assert_eq!(std::fs::read_to_string(&disguised).unwrap(), original);
    assert_eq!(std::fs::read_to_string(&rules).unwrap(), rule_text);

    // Formats by extension; unknown ones and PDF without `--pdf` are refused.
    let (code, _, err) = run(&dir.join("x.txt"), &[]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&dir.join("x.pdf"), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--pdf"), "{err}");
    let (code, _, err) = onus(&["brief", "--rules", TOY_RULES, &sc_s, "--pdf"]);
    assert_eq!(code, 2, "{err}");

    // A Markdown file is what stdout would have said; an existing briefing is replaced.
    let md = dir.join("briefing.md");
    std::fs::write(&md, "an old briefing").unwrap();
    let (code, out, err) = run(&md, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("wrote "), "{out}");
    let (_, stdout_md, _) = onus(&["brief", "--rules", TOY_RULES, &sc_s]);
    assert_eq!(std::fs::read_to_string(&md).unwrap(), stdout_md);
    let html = dir.join("briefing.html");
    let (code, _, err) = run(&html, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(&*dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains("onus-tmp")),
        "temporary file left: {names:?}"
    );
}

#[test]
fn pdf_says_clearly_when_chromium_is_missing() {
    let dir = scratch("no-chromium");
    let empty = dir.join("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    let run = |out: &Path| {
        Command::new(env!("CARGO_BIN_EXE_onus"))
            .current_dir(root())
            .env("PATH", &empty)
            .env_remove("ONUS_CHROMIUM")
            .args(["brief", "--rules", TOY_RULES, TOY, "--pdf", "-o"])
            .arg(out)
            .output()
            .unwrap()
    };
    let pdf = dir.join("b.pdf");
    let o = run(&pdf);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("Chromium is not installed"), "{err}");
    assert!(!pdf.exists());
    // With an HTML file, the HTML is written and the PDF's absence explained.
    let html = dir.join("b.html");
    let o = run(&html);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("Chromium is not installed"), "{err}");
    assert!(html.exists() && !dir.join("b.pdf").exists());
}

// ---------------------------------------------------------------------------------------------
// Browser tests

/// Chromium, as `onus brief --pdf` finds it.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ONUS_CHROMIUM") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| {
            [
                "chromium",
                "chromium-browser",
                "google-chrome",
                "google-chrome-stable",
                "chrome",
            ]
            .map(|b| d.join(b))
        })
        .find(|p| p.is_file())
}

macro_rules! require_chromium {
    () => {
        match chromium() {
            Some(c) => c,
            None => {
                eprintln!("skipped: chromium not installed (apt-get install chromium)");
                return;
            }
        }
    };
}

fn file_url(p: &Path) -> String {
    format!("file://{}", p.to_string_lossy().replace(' ', "%20"))
}

/// Runs headless Chromium on `page` with `extra` arguments in a fresh profile; returns stdout.
fn headless(browser: &Path, dir: &Path, extra: &[String], page: &Path) -> String {
    let profile = dir.join(format!("profile-{}", extra.len()));
    let _ = std::fs::remove_dir_all(&profile);
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(file_url(page))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap()
}

/// Renders `html` with a measuring script appended (the briefing's own policy forbids
/// scripts, so this copy drops it) and returns (scrollWidth, scrollHeight) at `width`.
fn measure(browser: &Path, dir: &Path, html: &str, width: u32) -> (u32, u32) {
    let start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let end = start + html[start..].find('>').unwrap() + 1;
    let probe = format!(
        "{}{}",
        &html[..start],
        html[end..].replace(
            "</body>",
            "<script>var d=document.documentElement;document.title='W='+d.scrollWidth+' H='+d.scrollHeight;</script></body>"
        )
    );
    let page = dir.join(format!("probe-{width}.html"));
    std::fs::write(&page, probe).unwrap();
    let dom = headless(
        browser,
        dir,
        &[format!("--window-size={width},1123"), "--dump-dom".into()],
        &page,
    );
    let title = dom
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or_default();
    let num = |k: &str| -> u32 {
        title
            .split_whitespace()
            .find_map(|p| p.strip_prefix(k))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no measurement in {title:?}"))
    };
    (num("W="), num("H="))
}

#[test]
fn html_renders_in_chromium_at_a4_width() {
    let browser = require_chromium!();
    let dir = scratch("render");
    for (name, args) in [
        ("toy", vec!["--rules", TOY_RULES, TOY]),
        (
            "eu",
            vec!["scenarios/eu/eu-finetune-unknown-base-compute.toml"],
        ),
        ("hostile", vec!["--rules", HOSTILE_RULES, HOSTILE]),
    ] {
        let html = brief_to_file(&dir, &format!("{name}.html"), &args);
        let page = dir.join(format!("{name}.html"));
        // A4 at 96 dpi is 794 px wide; a phone-sized window must not overflow either.
        for width in [794, 500] {
            let (w, h) = measure(&browser, &dir, &html, width);
            assert!(
                w <= width,
                "{name}: horizontal overflow at {width} px: {w} px"
            );
            assert!(
                (1123..200_000).contains(&h),
                "{name}: implausible page height {h} px at {width} px"
            );
        }
        let png = dir.join(format!("{name}.png"));
        headless(
            &browser,
            &dir,
            &[
                format!("--screenshot={}", png.display()),
                "--window-size=794,1123".into(),
            ],
            &page,
        );
        let decoder = png::Decoder::new(std::fs::File::open(&png).unwrap());
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (794, 1123));
        let channels = info.color_type.samples();
        let px = &buf[..info.buffer_size()];
        let luma = |x: usize, y: usize| {
            let i = (y * info.width as usize + x) * channels;
            (u32::from(px[i]) * 3 + u32::from(px[i + 1]) * 6 + u32::from(px[i + 2])) / 10
        };
        let total = (info.width * info.height) as usize;
        let ink = (0..info.height as usize)
            .flat_map(|y| (0..info.width as usize).map(move |x| (x, y)))
            .filter(|&(x, y)| luma(x, y) < 160)
            .count();
        assert!(
            ink * 100 > total,
            "{name}: the first page looks blank ({ink} dark pixels)"
        );
        // The page is centred with margins: nothing dark in the rightmost 12 px.
        let right_ink = (0..info.height as usize)
            .flat_map(|y| (782..794).map(move |x| (x, y)))
            .filter(|&(x, y)| luma(x, y) < 160)
            .count();
        assert_eq!(right_ink, 0, "{name}: content reaches the right edge");
    }
}

#[test]
fn hostile_briefing_runs_no_script_in_chromium() {
    let browser = require_chromium!();
    let dir = scratch("no-script");
    let html = brief_to_file(&dir, "hostile.html", &["--rules", HOSTILE_RULES, HOSTILE]);
    assert!(
        html.contains("document.title=&#39;pwned&#39;"),
        "the bait is there"
    );
    let dom = headless(
        &browser,
        &dir,
        &["--dump-dom".into()],
        &dir.join("hostile.html"),
    );
    assert!(
        dom.contains("<main class=\"doc\">"),
        "the page loaded: {}",
        &dom[..dom.len().min(300)]
    );
    let title = dom
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or_default();
    assert!(
        title.starts_with("Briefing: "),
        "a script changed the title to {title:?}"
    );
    assert!(
        !dom.contains("data-pwned=\""),
        "a script added an attribute"
    );
    let lower = dom.to_ascii_lowercase();
    for el in ["<script", "<img", "<iframe", "<b>", "<a href=\"javascript"] {
        assert!(
            !lower.contains(el),
            "the DOM has an element from the input: {el}"
        );
    }
    assert_eq!(lower.matches("<style").count(), 1, "a style from the input");
}

#[test]
fn pdf_prints_through_chromium() {
    let _browser = require_chromium!();
    let dir = scratch("pdf");
    let pdf = dir.join("toy.pdf");
    let pdf_s = pdf.to_string_lossy().into_owned();
    let (code, out, err) = onus(&["brief", "--rules", TOY_RULES, TOY, "--pdf", "-o", &pdf_s]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("wrote "), "{out}");
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");
    // A4 is 595 x 842 points.
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("/MediaBox [0 0 595") || text.contains("/MediaBox [0 0 594.9"),
        "not printed on A4"
    );
    // With an HTML file, both are written.
    let html = dir.join("both.html");
    let html_s = html.to_string_lossy().into_owned();
    let (code, _, err) = onus(&["brief", "--rules", TOY_RULES, TOY, "--pdf", "-o", &html_s]);
    assert_eq!(code, 0, "{err}");
    assert!(html.exists() && dir.join("both.pdf").exists());
}

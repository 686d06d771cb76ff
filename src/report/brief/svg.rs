//! Inline SVG for the HTML briefing: the chain as swim lanes, and the timeline.
//!
//! The chain is a small hand-written layered layout: one lane per actor (its roles written in
//! the lane's header), one column per stage of the chain (models by lineage depth, then
//! systems, then deployments); each model, system and deployment sits in the lane of the actor
//! who made, provides or operates it, and arrows follow the chain from left to right. No
//! external program and no randomness: the same chain always gives the same picture.
//!
//! Text widths are estimated from character counts (no font metrics are available without a
//! browser), conservatively, and labels are wrapped or shortened to fit.

use super::escape::html as esc;
use super::model::{Chain, EdgeKind, Tag, Timeline, TimelineEvent};
use crate::ir::Kind;
use crate::report::timeline::EventKind;
use jiff::civil::Date;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Greedy word wrap to `max` characters a line, hard-breaking longer words; at most `lines`
/// lines, the last one shortened with an ellipsis when text is left over.
pub fn wrap(text: &str, max: usize, lines: usize) -> Vec<String> {
    let max = max.max(4);
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0;
    // (piece, whether it continues the previous piece without a space)
    let mut words: Vec<(String, bool)> = Vec::new();
    for w in text.split_whitespace() {
        // A word longer than a line breaks after a hyphen, dot, slash or underscore when it
        // has one in reach, else at the line's end.
        let mut rest: Vec<char> = w.chars().collect();
        let mut glue = false;
        while rest.len() > max {
            let cut = rest
                .iter()
                .take(max)
                .rposition(|c| matches!(c, '-' | '.' | '/' | '_'))
                .map_or(max, |p| p + 1);
            let tail = rest.split_off(cut);
            words.push((rest.into_iter().collect(), glue));
            glue = true;
            rest = tail;
        }
        if !rest.is_empty() {
            words.push((rest.into_iter().collect(), glue));
        }
    }
    for (w, glue) in words {
        let wl = w.chars().count();
        let sep = usize::from(cur_len > 0 && !glue);
        if cur_len > 0 && cur_len + sep + wl > max {
            out.push(std::mem::take(&mut cur));
            cur_len = 0;
        } else if sep == 1 {
            cur.push(' ');
            cur_len += 1;
        }
        cur.push_str(&w);
        cur_len += wl;
    }
    if cur_len > 0 {
        out.push(cur);
    }
    if out.len() > lines {
        out.truncate(lines);
        if let Some(last) = out.last_mut() {
            let mut s: String = last.chars().take(max.saturating_sub(1)).collect();
            s.push('…');
            *last = s;
        }
    }
    out
}

fn shorten(text: &str, max: usize) -> String {
    wrap(text, max, 1).into_iter().next().unwrap_or_default()
}

/// Estimated width in px of `n` characters at `size` px (generous, so text stays in its box).
fn text_w(n: usize, size: f64) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "small counts")]
    let n = n as f64;
    n * size * 0.6
}

/// The width the diagrams are drawn for: the text column of an A4 page, in CSS px.
const TARGET_W: f64 = 640.0;
const LANE_PAD: f64 = 12.0;
const NODE_GAP: f64 = 10.0;
const HEAD_H: f64 = 30.0;

struct Placed {
    x: f64,
    y: f64,
    h: f64,
    name: Vec<String>,
    sub: Vec<String>,
}

fn kind_class(k: Kind) -> &'static str {
    match k {
        Kind::Actor => "actor",
        Kind::Model => "model",
        Kind::System => "system",
        Kind::Deployment => "deployment",
    }
}

#[expect(clippy::cast_precision_loss, reason = "small counts")]
fn f(n: usize) -> f64 {
    n as f64
}

/// The chain diagram, or `None` when the scenario has no actors.
pub fn chain(c: &Chain, title: &str) -> Option<String> {
    if c.lanes.is_empty() {
        return None;
    }
    let ncols = c.columns.len();
    // Narrower lane headers and columns when the chain has many stages, so the picture keeps
    // close to the page width instead of shrinking its text.
    let (lane_head_w, col_gap) = if ncols >= 3 {
        (150.0, 26.0)
    } else {
        (210.0, 46.0)
    };
    let plot_x = lane_head_w + 18.0;
    let col_w = ((TARGET_W - plot_x - 18.0 - f(ncols.saturating_sub(1)) * col_gap)
        / f(ncols.max(1)))
    .clamp(118.0, 168.0);
    let width =
        (plot_x + f(ncols) * col_w + f(ncols.saturating_sub(1)) * col_gap + 18.0).max(TARGET_W);
    // Characters a line: bold 12.5 px names and 10.5 px roles in the header; bold 12 px names
    // and 9.5 px ids in the boxes.
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "small positive widths"
    )]
    let chars = |w: f64, px: f64| ((w / px).floor() as usize).max(6);
    let head_name = chars(lane_head_w - 22.0, 8.2);
    let head_role = chars(lane_head_w - 22.0, 6.3);
    let node_name = chars(col_w - 18.0, 7.6);
    let node_id = chars(col_w - 18.0, 5.9);
    // Lane headers.
    let heads: Vec<(Vec<String>, Vec<Vec<String>>)> = c
        .lanes
        .iter()
        .map(|l| {
            let name = wrap(&l.name, head_name, 3);
            let roles = if l.roles.is_empty() {
                vec![wrap("no role under the instruments applied", head_role, 3)]
            } else {
                l.roles.iter().map(|r| wrap(r, head_role, 6)).collect()
            };
            (name, roles)
        })
        .collect();
    let head_h: Vec<f64> = heads
        .iter()
        .map(|(n, roles)| {
            let role_lines: usize = roles.iter().map(Vec::len).sum();
            26.0 + f(n.len()) * 16.0 + f(role_lines) * 13.0 + f(roles.len()) * 3.0
        })
        .collect();
    // Nodes: text and height, then stacked per lane and column.
    let mut placed: Vec<Placed> = c
        .nodes
        .iter()
        .map(|n| {
            let name = wrap(&n.name, node_name, 4);
            let sub = wrap(&n.id, node_id, 2);
            let h = 12.0 + f(name.len()) * 15.0 + f(sub.len()) * 12.0 + 3.0;
            Placed {
                x: plot_x + f(n.column) * (col_w + col_gap),
                y: 0.0,
                h,
                name,
                sub,
            }
        })
        .collect();
    let mut lane_y = Vec::new();
    let mut lane_h = Vec::new();
    let mut y = HEAD_H;
    for (li, hh) in head_h.iter().enumerate() {
        let mut stack: BTreeMap<usize, f64> = BTreeMap::new();
        for (n, p) in c.nodes.iter().zip(placed.iter_mut()) {
            if n.lane != li {
                continue;
            }
            let top = stack.entry(n.column).or_insert(y + LANE_PAD);
            p.y = *top;
            *top += p.h + NODE_GAP;
        }
        let stacked = stack
            .values()
            .map(|t| t - y - NODE_GAP + LANE_PAD)
            .fold(0.0, f64::max);
        let h = hh.max(stacked).max(56.0);
        lane_y.push(y);
        lane_h.push(h);
        y += h;
    }
    let height = y + 8.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chain" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="img" aria-labelledby="chain-title"><title id="chain-title">{}</title>"#,
        esc(title)
    );
    s.push_str(r#"<defs><marker id="chain-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>"#);
    // Column headers.
    let _ = write!(
        s,
        r#"<text class="colhead" x="12" y="19">Actor and its roles</text>"#
    );
    for (i, col) in c.columns.iter().enumerate() {
        let _ = write!(
            s,
            r#"<text class="colhead" x="{:.1}" y="19">{}</text>"#,
            plot_x + f(i) * (col_w + col_gap),
            esc(col)
        );
    }
    // Lanes.
    for (li, (name, roles)) in heads.iter().enumerate() {
        let (Some(ly), Some(lh)) = (lane_y.get(li), lane_h.get(li)) else {
            continue;
        };
        let class = if li % 2 == 0 { "lane even" } else { "lane odd" };
        let _ = write!(
            s,
            r#"<rect class="{class}" x="0" y="{ly:.1}" width="{width:.0}" height="{lh:.1}"/>"#
        );
        let _ = write!(
            s,
            r#"<line class="lanesep" x1="0" y1="{ly:.1}" x2="{width:.0}" y2="{ly:.1}"/>"#
        );
        let mut ty = ly + 12.0 + 12.0;
        for line in name {
            let _ = write!(
                s,
                r#"<text class="lanename" x="12" y="{ty:.1}">{}</text>"#,
                esc(line)
            );
            ty += 16.0;
        }
        ty += 2.0;
        let role_class = if c.lanes.get(li).is_some_and(|l| l.roles.is_empty()) {
            "role none"
        } else {
            "role"
        };
        for r in roles {
            for line in r {
                let _ = write!(
                    s,
                    r#"<text class="{role_class}" x="12" y="{ty:.1}">{}</text>"#,
                    esc(line)
                );
                ty += 13.0;
            }
            ty += 3.0;
        }
    }
    let _ = write!(
        s,
        r#"<line class="lanesep" x1="0" y1="{y:.1}" x2="{width:.0}" y2="{y:.1}"/><line class="headsep" x1="{lane_head_w:.0}" y1="{HEAD_H:.0}" x2="{lane_head_w:.0}" y2="{y:.1}"/>"#
    );
    // Edges under the boxes; several edges leaving or entering one box are spread apart.
    let mut outs: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut ins: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, (from, to, _)) in c.edges.iter().enumerate() {
        outs.entry(*from).or_default().push(i);
        ins.entry(*to).or_default().push(i);
    }
    let spread = |m: &BTreeMap<usize, Vec<usize>>, node: usize, edge: usize, h: f64| -> f64 {
        let list = m.get(&node).map_or(&[][..], Vec::as_slice);
        let k = list.len();
        let i = list.iter().position(|e| *e == edge).unwrap_or(0);
        let step = (h * 0.6 / f(k.max(1))).min(8.0);
        (f(i) - f(k.saturating_sub(1)) / 2.0) * step
    };
    for (ei, (from, to, kind)) in c.edges.iter().enumerate() {
        let (Some(a), Some(b)) = (placed.get(*from), placed.get(*to)) else {
            continue;
        };
        let (x1, y1) = (a.x + col_w, a.y + a.h / 2.0 + spread(&outs, *from, ei, a.h));
        let (x2, y2) = (b.x - 2.0, b.y + b.h / 2.0 + spread(&ins, *to, ei, b.h));
        let dx = ((x2 - x1) / 2.0).max(18.0);
        let class = match kind {
            EdgeKind::Lineage => "edge lineage",
            EdgeKind::BuiltOn => "edge builton",
            EdgeKind::Deployed => "edge deployed",
        };
        let _ = write!(
            s,
            r#"<path class="{class}" d="M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}" marker-end="url(#chain-arrow)"/>"#,
            x1 + dx,
            x2 - dx
        );
    }
    // Boxes.
    for (n, p) in c.nodes.iter().zip(&placed) {
        let _ = write!(
            s,
            r#"<g class="node {}"><rect x="{:.1}" y="{:.1}" width="{col_w:.0}" height="{:.1}" rx="6"/>"#,
            kind_class(n.kind),
            p.x,
            p.y,
            p.h
        );
        let mut ty = p.y + 8.0 + 12.0;
        for line in &p.name {
            let _ = write!(
                s,
                r#"<text class="nodename" x="{:.1}" y="{ty:.1}">{}</text>"#,
                p.x + 9.0,
                esc(line)
            );
            ty += 15.0;
        }
        for line in &p.sub {
            let _ = write!(
                s,
                r#"<text class="nodeid" x="{:.1}" y="{:.1}">{}</text>"#,
                p.x + 9.0,
                ty + 1.0,
                esc(line)
            );
            ty += 12.0;
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    Some(s)
}

/// Days since 1970-01-01 (proleptic Gregorian), for placing dates on a line.
fn day_number(d: Date) -> i64 {
    let y = i64::from(d.year()) - i64::from(d.month() <= 2);
    let m = i64::from(d.month());
    let day = i64::from(d.day());
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

const TL_W: f64 = 640.0;
const TL_LEFT: f64 = 138.0;
const TL_PLOT_L: f64 = 152.0;
const TL_PLOT_R: f64 = 622.0;
const TL_TOP: f64 = 40.0;

fn marker(kind: EventKind, tag: Option<Tag>, x: f64, y: f64) -> String {
    let hollow = matches!(tag, Some(Tag::Undetermined));
    let class = match kind {
        EventKind::Status => "mk status",
        EventKind::Starts => "mk starts",
        EventKind::Deadline => "mk deadline",
        EventKind::Ends => "mk ends",
    };
    let class = if hollow {
        format!("{class} hollow")
    } else {
        class.to_string()
    };
    match kind {
        EventKind::Starts => format!(r#"<circle class="{class}" cx="{x:.1}" cy="{y:.1}" r="5"/>"#),
        EventKind::Deadline => format!(
            r#"<path class="{class}" d="M{x:.1},{:.1} L{:.1},{y:.1} L{x:.1},{:.1} L{:.1},{y:.1} z"/>"#,
            y - 6.5,
            x + 6.5,
            y + 6.5,
            x - 6.5
        ),
        EventKind::Ends => format!(
            r#"<rect class="{class}" x="{:.1}" y="{:.1}" width="9" height="9"/>"#,
            x - 4.5,
            y - 4.5
        ),
        EventKind::Status => format!(
            r#"<path class="{class}" d="M{:.1},{:.1} L{:.1},{:.1} L{x:.1},{:.1} z"/>"#,
            x - 5.0,
            y - 5.0,
            x + 5.0,
            y - 5.0,
            y + 4.0
        ),
    }
}

/// The timeline chart, or `None` when there is nothing to draw.
pub fn timeline(t: &Timeline) -> Option<String> {
    let shown: Vec<&TimelineEvent> = t.events.iter().filter(|e| e.chart).collect();
    if shown.is_empty() {
        return None;
    }
    let as_of = day_number(t.as_of);
    let mut lo = shown.iter().map(|e| day_number(e.date)).min()?.min(as_of);
    let mut hi = shown.iter().map(|e| day_number(e.date)).max()?.max(as_of);
    if hi - lo < 180 {
        lo -= 90;
        hi += 90;
    }
    let pad = (hi - lo) / 25 + 1;
    lo -= pad;
    hi += pad;
    #[expect(clippy::cast_precision_loss, reason = "day numbers are small")]
    let xof = |d: i64| TL_PLOT_L + (d - lo) as f64 / (hi - lo) as f64 * (TL_PLOT_R - TL_PLOT_L);

    // Group the events of a lane by date; one marker and one label per group.
    struct Group {
        x: f64,
        kind: EventKind,
        tag: Option<Tag>,
        lines: (String, String),
        row: usize,
    }
    let mut groups: Vec<Vec<Group>> = t.lanes.iter().map(|_| Vec::new()).collect();
    let mut by_key: BTreeMap<(usize, Date), Vec<usize>> = BTreeMap::new();
    for (i, e) in shown.iter().enumerate() {
        by_key.entry((e.lane, e.date)).or_default().push(i);
    }
    for ((lane, date), idx) in &by_key {
        let evs: Vec<&TimelineEvent> = idx.iter().filter_map(|i| shown.get(*i).copied()).collect();
        let Some(first) = evs.first() else { continue };
        let kind = evs.iter().map(|e| e.kind).min_by_key(|k| match k {
            EventKind::Deadline => 0,
            EventKind::Starts => 1,
            EventKind::Ends => 2,
            EventKind::Status => 3,
        })?;
        let tag = if evs.iter().all(|e| e.tag == Some(Tag::Undetermined)) {
            Some(Tag::Undetermined)
        } else {
            first.tag
        };
        let second = if evs.len() == 1 {
            if first.kind == EventKind::Status {
                first.what.clone()
            } else {
                format!("{} {}", first.citation, first.what)
            }
        } else {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for e in &evs {
                *counts
                    .entry(if e.kind == EventKind::Status {
                        "status changes"
                    } else {
                        e.what.as_str()
                    })
                    .or_default() += 1;
            }
            counts
                .iter()
                .map(|(w, n)| format!("{n} {w}"))
                .collect::<Vec<_>>()
                .join(" · ")
        };
        if let Some(g) = groups.get_mut(*lane) {
            g.push(Group {
                x: xof(day_number(*date)),
                kind,
                tag,
                lines: (date.to_string(), shorten(&second, 30)),
                row: 0,
            });
        }
    }
    // Labels in rows below the markers, each in the first row where it fits.
    let label_w = |g: &Group| {
        let n = g.lines.0.chars().count().max(g.lines.1.chars().count());
        text_w(n, 9.5) + 6.0
    };
    let mut lane_rows = Vec::new();
    for lane in &mut groups {
        let mut ends: Vec<f64> = Vec::new();
        for g in lane.iter_mut() {
            let w = label_w(g);
            let x0 = (g.x - 4.0).min(TL_W - 6.0 - w);
            let row = ends
                .iter()
                .position(|e| x0 >= *e + 8.0)
                .unwrap_or(ends.len());
            if let Some(e) = ends.get_mut(row) {
                *e = x0 + w;
            } else {
                ends.push(x0 + w);
            }
            g.row = row;
        }
        lane_rows.push(ends.len().max(1));
    }
    let lane_h: Vec<f64> = lane_rows
        .iter()
        .zip(&t.lanes)
        .map(|(r, name)| (26.0 + f(*r) * 25.0).max(14.0 + f(wrap(name, 17, 3).len()) * 14.0))
        .collect();
    let height = TL_TOP + lane_h.iter().sum::<f64>() + 10.0;

    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {TL_W:.0} {height:.0}" width="{TL_W:.0}" height="{height:.0}" role="img" aria-labelledby="timeline-title"><title id="timeline-title">Start dates, deadlines and status changes, as of {}</title>"#,
        t.as_of
    );
    // Lanes.
    let mut y = TL_TOP;
    let mut lane_top = Vec::new();
    for (i, (name, h)) in t.lanes.iter().zip(&lane_h).enumerate() {
        lane_top.push(y);
        let class = if i % 2 == 0 { "lane even" } else { "lane odd" };
        let _ = write!(
            s,
            r#"<rect class="{class}" x="0" y="{y:.1}" width="{TL_W:.0}" height="{h:.1}"/>"#
        );
        for (j, line) in wrap(name, 17, 3).iter().enumerate() {
            let _ = write!(
                s,
                r#"<text class="lanename small" x="8" y="{:.1}">{}</text>"#,
                y + 19.0 + f(j) * 14.0,
                esc(line)
            );
        }
        y += h;
    }
    let bottom = y;
    let _ = write!(
        s,
        r#"<line class="headsep" x1="{TL_LEFT:.0}" y1="{TL_TOP:.0}" x2="{TL_LEFT:.0}" y2="{bottom:.1}"/>"#
    );
    // Axis: years, or quarters for a short span.
    let first = Date::new(
        i16::try_from(1970 + lo / 366).unwrap_or(1970).max(1900),
        1,
        1,
    )
    .unwrap_or_default();
    let quarters = hi - lo < 800;
    let mut ticks = Vec::new();
    let mut cur = first;
    for _ in 0..2000 {
        let d = day_number(cur);
        if d > hi {
            break;
        }
        if d >= lo {
            let label = if quarters {
                format!("{}-{:02}", cur.year(), cur.month())
            } else {
                cur.year().to_string()
            };
            ticks.push((xof(d), label, cur.month() == 1));
        }
        let next = if quarters {
            cur.checked_add(jiff::Span::new().months(3))
        } else {
            cur.checked_add(jiff::Span::new().years(1))
        };
        match next {
            Ok(n) => cur = n,
            Err(_) => break,
        }
    }
    for (x, label, major) in &ticks {
        let class = if *major { "tick major" } else { "tick" };
        let _ = write!(
            s,
            r#"<line class="{class}" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{bottom:.1}"/><text class="ticklabel" x="{x:.1}" y="{:.1}">{}</text>"#,
            TL_TOP - 4.0,
            TL_TOP - 8.0,
            esc(label)
        );
    }
    // As-of line.
    let ax = xof(as_of);
    let _ = write!(
        s,
        r#"<line class="asof" x1="{ax:.1}" y1="14" x2="{ax:.1}" y2="{bottom:.1}"/>"#
    );
    let label = format!("as of {}", t.as_of);
    let lw = text_w(label.chars().count(), 10.0);
    let (anchor, lx) = if ax + lw + 6.0 > TL_W {
        ("end", ax - 4.0)
    } else {
        ("start", ax + 4.0)
    };
    let _ = write!(
        s,
        r#"<text class="asoflabel" x="{lx:.1}" y="13" text-anchor="{anchor}">{label}</text>"#
    );
    // Markers and labels.
    for (lane, gs) in groups.iter().enumerate() {
        let Some(top) = lane_top.get(lane) else {
            continue;
        };
        let my = top + 14.0;
        for g in gs {
            let w = label_w(g);
            let x0 = (g.x - 4.0).min(TL_W - 6.0 - w);
            let ly = top + 30.0 + f(g.row) * 25.0;
            let _ = write!(
                s,
                r#"<line class="leader" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/>"#,
                g.x,
                my + 6.0,
                g.x,
                ly - 9.0
            );
            s.push_str(&marker(g.kind, g.tag, g.x, my));
            let _ = write!(
                s,
                r#"<text class="evdate" x="{:.1}" y="{ly:.1}">{}</text><text class="evtext" x="{:.1}" y="{:.1}">{}</text>"#,
                x0 + 2.0,
                esc(&g.lines.0),
                x0 + 2.0,
                ly + 11.0,
                esc(&g.lines.1)
            );
        }
    }
    s.push_str("</svg>");
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_are_days() {
        let a = jiff::civil::date(1970, 1, 1);
        let b = jiff::civil::date(2000, 3, 1);
        assert_eq!(day_number(a), 0);
        assert_eq!(day_number(b), 11_017);
    }

    #[test]
    fn wrap_breaks_words_and_shortens() {
        assert_eq!(wrap("a bb ccc", 4, 3), vec!["a bb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4, 2), vec!["abcd", "efg…"]);
        assert_eq!(wrap("Llama-3.3-70B", 8, 3), vec!["Llama-3.", "3-70B"]);
        assert_eq!(wrap("ab-cdef", 4, 3), vec!["ab-", "cdef"]);
    }
}

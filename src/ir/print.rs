//! Canonical text of resolved rules, without spans: the fingerprint of a rule is the hash of
//! this text, so moving a rule within its file does not change it, while changing a condition,
//! a date or a citation does.

use super::*;
use std::fmt::Write as _;

fn value(rs: &RuleSet, ty: &Type, v: &Value) -> String {
    match (v, ty) {
        (Value::Enum(i), Type::Enum(e)) => rs
            .enumeration(*e)
            .and_then(|x| x.values.get(usize::from(*i)))
            .map_or_else(|| format!("#{i}"), |s| format!("{s:?}")),
        (Value::Set(bits), Type::Set(e)) => {
            let names: Vec<String> = rs
                .enumeration(*e)
                .map(|x| {
                    x.values
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i < 128 && bits & (1u128 << i) != 0)
                        .map(|(_, n)| format!("{n:?}"))
                        .collect()
                })
                .unwrap_or_default();
            format!("[{}]", names.join(", "))
        }
        (Value::Num(n), Type::Num(u)) if *u != Unit::None => format!("{n:e} {}", u.name()),
        (Value::Num(n), _) => format!("{n:e}"),
        (Value::Date(d), _) => d.to_string(),
        (Value::Bool(b), _) => b.to_string(),
        (Value::Text(s), _) => format!("{s:?}"),
        (Value::Dur(n, u), _) => format!("{n} {u:?}"),
        (other, _) => format!("{other:?}"),
    }
}

/// An expression as canonical text (fully parenthesised, names resolved).
pub fn expr(rs: &RuleSet, e: &Expr) -> String {
    let mut s = String::new();
    write_expr(rs, e, &mut s);
    s
}

fn write_expr(rs: &RuleSet, e: &Expr, s: &mut String) {
    let bin = |op: &str, a: &Expr, b: &Expr, s: &mut String| {
        s.push('(');
        write_expr(rs, a, s);
        let _ = write!(s, " {op} ");
        write_expr(rs, b, s);
        s.push(')');
    };
    match &e.kind {
        ExprKind::Lit(v) => s.push_str(&value(rs, &e.ty, v)),
        ExprKind::Var(i) => {
            let _ = write!(s, "${i}");
        }
        ExprKind::Const(d) => s.push_str(rs.def(*d).map_or("?", |x| x.id.as_str())),
        ExprKind::Fact(t, f) => {
            write_expr(rs, t, s);
            let _ = write!(s, ".{}", rs.fact(*f).map_or("?", |x| x.id.as_str()));
        }
        ExprKind::Def(t, d) => {
            write_expr(rs, t, s);
            let _ = write!(s, ".{}", rs.def(*d).map_or("?", |x| x.id.as_str()));
        }
        ExprKind::Link(t, l) => {
            write_expr(rs, t, s);
            let _ = write!(s, ".{}", l.name());
        }
        ExprKind::Not(a) => {
            s.push_str("(not ");
            write_expr(rs, a, s);
            s.push(')');
        }
        ExprKind::Neg(a) => {
            s.push_str("(-");
            write_expr(rs, a, s);
            s.push(')');
        }
        ExprKind::And(a, b) => bin("and", a, b, s),
        ExprKind::Or(a, b) => bin("or", a, b, s),
        ExprKind::Cmp(op, a, b) => {
            let o = match op {
                CmpOp::Eq => "==",
                CmpOp::Ne => "!=",
                CmpOp::Lt => "<",
                CmpOp::Le => "<=",
                CmpOp::Gt => ">",
                CmpOp::Ge => ">=",
            };
            bin(o, a, b, s);
        }
        ExprKind::Arith(op, a, b) => {
            let o = match op {
                ArithOp::Add => "+",
                ArithOp::Sub => "-",
                ArithOp::Mul => "*",
                ArithOp::Div => "/",
            };
            bin(o, a, b, s);
        }
        ExprKind::In(a, b, neg) => bin(if *neg { "not in" } else { "in" }, a, b, s),
        ExprKind::If(c, a, b) => {
            s.push_str("(if ");
            write_expr(rs, c, s);
            s.push_str(" then ");
            write_expr(rs, a, s);
            s.push_str(" else ");
            write_expr(rs, b, s);
            s.push(')');
        }
        ExprKind::Quant {
            all,
            slot,
            over,
            body,
        } => {
            let _ = write!(s, "{}(${slot} in ", if *all { "all" } else { "any" });
            write_expr(rs, over, s);
            s.push_str(": ");
            write_expr(rs, body, s);
            s.push(')');
        }
        ExprKind::Present(a) => {
            s.push_str("present(");
            write_expr(rs, a, s);
            s.push(')');
        }
        ExprKind::Min(a, b) | ExprKind::Max(a, b) => {
            s.push_str(if matches!(e.kind, ExprKind::Min(..)) {
                "min("
            } else {
                "max("
            });
            write_expr(rs, a, s);
            s.push_str(", ");
            write_expr(rs, b, s);
            s.push(')');
        }
        ExprKind::Reading(q) => {
            let _ = write!(
                s,
                "reading.{}",
                rs.question(*q).map_or("?", |x| x.id.as_str())
            );
        }
        ExprKind::Error => s.push_str("<error>"),
    }
}

fn opt(rs: &RuleSet, e: Option<&Expr>) -> String {
    e.map_or_else(|| "-".to_string(), |e| expr(rs, e))
}

/// A rule's name (`obligation eu-ai-act/technical_documentation`) and canonical text.
pub fn rules(rs: &RuleSet) -> Vec<(String, String, String)> {
    let inst = |i: InstrumentId| rs.instrument(i).map_or("?", |x| x.id.as_str());
    let mut out = Vec::new();
    for f in &rs.facts {
        out.push((
            format!("fact {}.{}", f.on, f.id),
            String::new(),
            format!("{:?}", f.ty).replace(|c: char| c.is_ascii_digit(), ""),
        ));
    }
    for d in &rs.defs {
        out.push((
            format!("definition {}/{}", inst(d.instrument), d.id),
            d.citation.clone(),
            format!("on {:?} = {} [{}]", d.on, expr(rs, &d.expr), d.citation),
        ));
    }
    for r in &rs.roles {
        let mut t = format!("subject {} [{}]", r.subject, r.citation);
        for rt in &r.routes {
            let _ = write!(
                t,
                "; route {} displaces={} [{}]",
                expr(rs, &rt.when),
                rt.displaces,
                rt.citation
            );
        }
        out.push((
            format!("role {}/{}", inst(r.instrument), r.id),
            r.citation.clone(),
            t,
        ));
    }
    for o in &rs.obligations {
        let t = format!(
            "role {} when {} from {} until {} deadline {} penalty {} [{}] {}",
            rs.role(o.role).map_or("?", |x| x.id.as_str()),
            opt(rs, o.when.as_ref()),
            opt(rs, o.from.as_ref()),
            opt(rs, o.until.as_ref()),
            opt(rs, o.deadline.as_ref()),
            o.penalty
                .and_then(|p| rs.penalty(p))
                .map_or("-", |p| p.id.as_str()),
            o.citation,
            o.title
        );
        out.push((
            format!("obligation {}/{}", inst(o.instrument), o.id),
            o.citation.clone(),
            t,
        ));
    }
    for x in &rs.exemptions {
        let mut t = format!(
            "exempts {:?} priority {} when {} [{}]",
            x.exempts
                .iter()
                .filter_map(|o| rs.obligation(*o).map(|o| o.id.as_str()))
                .collect::<Vec<_>>(),
            x.priority,
            expr(rs, &x.when),
            x.citation
        );
        for e in &x.exceptions {
            let _ = write!(
                t,
                "; unless {} {} [{}]",
                e.id,
                expr(rs, &e.when),
                e.citation
            );
        }
        out.push((
            format!("exemption {}/{}", inst(x.instrument), x.id),
            x.citation.clone(),
            t,
        ));
    }
    for q in &rs.questions {
        let t = format!(
            "default {} readings {:?} [{}]",
            q.default,
            q.readings.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            q.citation
        );
        out.push((
            format!("question {}/{}", inst(q.instrument), q.id),
            q.citation.clone(),
            t,
        ));
    }
    for p in &rs.penalties {
        let t = format!(
            "{} = {} per {:?} [{}]",
            p.formula,
            opt(rs, p.amount.as_ref()),
            p.per,
            p.citation
        );
        out.push((
            format!("penalty {}/{}", inst(p.instrument), p.id),
            p.citation.clone(),
            t,
        ));
    }
    for (i, ins) in rs.instruments.iter().enumerate() {
        let t = format!(
            "{:?} amends {:?}",
            ins.status
                .iter()
                .map(|s| (s.status.name(), s.from.to_string()))
                .collect::<Vec<_>>(),
            ins.amends.map(inst)
        );
        let _ = i;
        out.push((format!("instrument {}", ins.id), ins.citation.clone(), t));
    }
    for ov in &rs.overlays {
        let (what, t) = match &ov.target {
            OverlayTarget::ObligationWhen(o, e) => (
                rs.obligation(*o).map(|x| x.id.clone()),
                format!("when {}", expr(rs, e)),
            ),
            OverlayTarget::ObligationFrom(o, e) => (
                rs.obligation(*o).map(|x| x.id.clone()),
                format!("from {}", expr(rs, e)),
            ),
            OverlayTarget::ObligationUntil(o, e) => (
                rs.obligation(*o).map(|x| x.id.clone()),
                format!("until {}", expr(rs, e)),
            ),
            OverlayTarget::ObligationDeadline(o, e) => (
                rs.obligation(*o).map(|x| x.id.clone()),
                format!("deadline {}", expr(rs, e)),
            ),
            OverlayTarget::ObligationPenalty(o, p) => (
                rs.obligation(*o).map(|x| x.id.clone()),
                format!("penalty {}", rs.penalty(*p).map_or("?", |x| x.id.as_str())),
            ),
            OverlayTarget::DefinitionExpr(d, e) => (
                rs.def(*d).map(|x| x.id.clone()),
                format!("expr {}", expr(rs, e)),
            ),
            OverlayTarget::ExemptionWhen(x, e) => (
                rs.exemption(*x).map(|x| x.id.clone()),
                format!("when {}", expr(rs, e)),
            ),
            OverlayTarget::RepealObligation(o) => {
                (rs.obligation(*o).map(|x| x.id.clone()), "repeal".into())
            }
            OverlayTarget::RepealExemption(x) => {
                (rs.exemption(*x).map(|x| x.id.clone()), "repeal".into())
            }
        };
        out.push((
            format!(
                "amend {}/{} {}",
                inst(ov.amendment),
                what.unwrap_or_default(),
                t.split(' ').next().unwrap_or("")
            ),
            ov.citation.clone(),
            format!("{t} [{}]", ov.citation),
        ));
    }
    out.sort();
    out
}

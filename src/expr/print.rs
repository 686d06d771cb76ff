//! Printing an expression back to source text, fully parenthesised so that printing and
//! parsing again gives the same tree.

use super::{Ast, AstKind};
use std::fmt;

impl fmt::Display for Ast {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            AstKind::Bool(b) => write!(f, "{b}"),
            AstKind::Num { value, unit } => {
                write!(f, "{value:e}")?;
                if let Some((u, _)) = unit {
                    write!(f, " {u}")?;
                }
                Ok(())
            }
            AstKind::Date(d) => write!(f, "{d}"),
            AstKind::Str(s) => {
                if s.contains('"') {
                    write!(f, "'{s}'")
                } else {
                    write!(f, "\"{s}\"")
                }
            }
            AstKind::List(items) => {
                f.write_str("[")?;
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{it}")?;
                }
                f.write_str("]")
            }
            AstKind::Name(n) => f.write_str(n),
            AstKind::Field { target, name, .. } => write!(f, "{target}.{name}"),
            AstKind::Call { name, args } => {
                write!(f, "{name}(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
            AstKind::Not(e) => write!(f, "(not {e})"),
            AstKind::Neg(e) => write!(f, "(-{e})"),
            AstKind::Binary { op, lhs, rhs } => write!(f, "({lhs} {} {rhs})", op.symbol()),
            AstKind::If { cond, then, els } => write!(f, "(if {cond} then {then} else {els})"),
            AstKind::Quant {
                all,
                var,
                over,
                body,
                ..
            } => write!(
                f,
                "{}({var} in {over}: {body})",
                if *all { "all" } else { "any" }
            ),
        }
    }
}

//! Printing an expression back to source text, so that parsing the printed text gives the same
//! tree (spans aside).
//!
//! Parentheses are written only where the grammar needs them (a child that binds less tightly
//! than its place allows, or the right operand of a left-associative operator). The printed
//! text therefore nests no deeper than any text that parses to the same tree, and every
//! expression the parser accepted parses again within the depth limit; fully parenthesised
//! output would double the nesting of `not not … x` and could not.

use super::{Ast, AstKind, BinOp};
use std::fmt;

/// Binding strength, loosest first; one level per rule of the grammar in `parser.rs`.
const IF: u8 = 0;
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const CMP: u8 = 4;
const SUM: u8 = 5;
const PRODUCT: u8 = 6;
const UNARY: u8 = 7;
const POSTFIX: u8 = 8;
const PRIMARY: u8 = 9;

fn level(ast: &Ast) -> u8 {
    match &ast.kind {
        AstKind::If { .. } => IF,
        AstKind::Binary { op, .. } => binary_level(*op),
        AstKind::Not(_) => NOT,
        AstKind::Neg(_) => UNARY,
        AstKind::Field { .. } => POSTFIX,
        _ => PRIMARY,
    }
}

fn binary_level(op: BinOp) -> u8 {
    match op {
        BinOp::Or => OR,
        BinOp::And => AND,
        BinOp::Eq
        | BinOp::Ne
        | BinOp::Lt
        | BinOp::Le
        | BinOp::Gt
        | BinOp::Ge
        | BinOp::In
        | BinOp::NotIn => CMP,
        BinOp::Add | BinOp::Sub => SUM,
        BinOp::Mul | BinOp::Div => PRODUCT,
    }
}

/// Writes `ast` where the grammar expects an expression of level `min` or tighter.
fn write_at(f: &mut fmt::Formatter<'_>, ast: &Ast, min: u8) -> fmt::Result {
    if level(ast) < min {
        f.write_str("(")?;
        write_bare(f, ast)?;
        f.write_str(")")
    } else {
        write_bare(f, ast)
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, items: &[Ast]) -> fmt::Result {
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write_at(f, it, IF)?;
    }
    Ok(())
}

fn write_bare(f: &mut fmt::Formatter<'_>, ast: &Ast) -> fmt::Result {
    match &ast.kind {
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
            write_list(f, items)?;
            f.write_str("]")
        }
        AstKind::Name(n) => f.write_str(n),
        AstKind::Field { target, name, .. } => {
            write_at(f, target, POSTFIX)?;
            write!(f, ".{name}")
        }
        AstKind::Call { name, args } => {
            write!(f, "{name}(")?;
            write_list(f, args)?;
            f.write_str(")")
        }
        AstKind::Not(e) => {
            f.write_str("not ")?;
            write_at(f, e, NOT)
        }
        AstKind::Neg(e) => {
            f.write_str("-")?;
            write_at(f, e, UNARY)
        }
        AstKind::Binary { op, lhs, rhs } => {
            let lvl = binary_level(*op);
            // Comparisons do not chain: both operands are sums. The others associate to the
            // left: the right operand must bind more tightly than the operator.
            let (l, r) = if lvl == CMP {
                (SUM, SUM)
            } else {
                (lvl, lvl + 1)
            };
            write_at(f, lhs, l)?;
            write!(f, " {} ", op.symbol())?;
            write_at(f, rhs, r)
        }
        AstKind::If { cond, then, els } => {
            f.write_str("if ")?;
            write_at(f, cond, IF)?;
            f.write_str(" then ")?;
            write_at(f, then, IF)?;
            f.write_str(" else ")?;
            write_at(f, els, IF)
        }
        AstKind::Quant {
            all,
            var,
            over,
            body,
            ..
        } => {
            write!(f, "{}({var} in ", if *all { "all" } else { "any" })?;
            write_at(f, over, SUM)?;
            f.write_str(": ")?;
            write_at(f, body, IF)?;
            f.write_str(")")
        }
    }
}

impl fmt::Display for Ast {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_bare(f, self)
    }
}

//! The condition language: lexer, parser and untyped syntax tree.
//!
//! Conditions are TOML strings such as `model.training_compute > base.training_compute / 3`.
//! Spans here are byte offsets inside the expression text; `resolve` maps them back into the
//! rule file so that an error points at the column inside the string.

mod lexer;
mod parser;
mod print;

pub use parser::parse;

/// Longest expression accepted, in bytes.
pub const MAX_EXPR_LEN: usize = 8192;
/// Deepest nesting accepted (parentheses, operators, navigation).
pub const MAX_EXPR_DEPTH: usize = 64;

/// A byte range inside the expression text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalSpan {
    pub start: u32,
    pub end: u32,
}

impl LocalSpan {
    pub fn to(self, other: LocalSpan) -> LocalSpan {
        LocalSpan {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ast {
    pub kind: AstKind,
    pub span: LocalSpan,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    And,
    Or,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::NotIn => "not in",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum AstKind {
    Bool(bool),
    /// A number, optionally followed by a unit name (`1e25 FLOP`, `14 days`).
    Num {
        value: f64,
        unit: Option<(String, LocalSpan)>,
    },
    Date(jiff::civil::Date),
    Str(String),
    List(Vec<Ast>),
    Name(String),
    Field {
        target: Box<Ast>,
        name: String,
        name_span: LocalSpan,
    },
    Call {
        name: String,
        args: Vec<Ast>,
    },
    Not(Box<Ast>),
    Neg(Box<Ast>),
    Binary {
        op: BinOp,
        lhs: Box<Ast>,
        rhs: Box<Ast>,
    },
    If {
        cond: Box<Ast>,
        then: Box<Ast>,
        els: Box<Ast>,
    },
    /// `any(x in list: cond)` or `all(x in list: cond)`.
    Quant {
        all: bool,
        var: String,
        var_span: LocalSpan,
        over: Box<Ast>,
        body: Box<Ast>,
    },
}

/// A syntax error inside an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub span: LocalSpan,
    pub help: Option<String>,
}

/// The tree with every span set to zero, to compare two parses of different texts.
pub fn strip_spans(ast: &Ast) -> Ast {
    const Z: LocalSpan = LocalSpan { start: 0, end: 0 };
    let b = |a: &Ast| Box::new(strip_spans(a));
    let kind = match &ast.kind {
        AstKind::Num { value, unit } => AstKind::Num {
            value: *value,
            unit: unit.as_ref().map(|(u, _)| (u.clone(), Z)),
        },
        AstKind::List(items) => AstKind::List(items.iter().map(strip_spans).collect()),
        AstKind::Field { target, name, .. } => AstKind::Field {
            target: b(target),
            name: name.clone(),
            name_span: Z,
        },
        AstKind::Call { name, args } => AstKind::Call {
            name: name.clone(),
            args: args.iter().map(strip_spans).collect(),
        },
        AstKind::Not(e) => AstKind::Not(b(e)),
        AstKind::Neg(e) => AstKind::Neg(b(e)),
        AstKind::Binary { op, lhs, rhs } => AstKind::Binary {
            op: *op,
            lhs: b(lhs),
            rhs: b(rhs),
        },
        AstKind::If { cond, then, els } => AstKind::If {
            cond: b(cond),
            then: b(then),
            els: b(els),
        },
        AstKind::Quant {
            all,
            var,
            over,
            body,
            ..
        } => AstKind::Quant {
            all: *all,
            var: var.clone(),
            var_span: Z,
            over: b(over),
            body: b(body),
        },
        other => other.clone(),
    };
    Ast { kind, span: Z }
}

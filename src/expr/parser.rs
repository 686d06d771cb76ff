//! Recursive-descent parser with a depth limit.
//!
//! Grammar (lowest precedence first):
//! ```text
//! expr    := 'if' expr 'then' expr 'else' expr | or
//! or      := and ('or' and)*
//! and     := not ('and' not)*
//! not     := 'not' not | cmp
//! cmp     := sum (('=='|'!='|'<'|'<='|'>'|'>='|'in'|'not' 'in') sum)?
//! sum     := product (('+'|'-') product)*
//! product := unary (('*'|'/') unary)*
//! unary   := '-' unary | postfix
//! postfix := primary ('.' IDENT)*
//! primary := NUMBER IDENT? | DATE | STRING | 'true' | 'false' | '(' expr ')' | '[' list ']'
//!          | ('any'|'all') '(' IDENT 'in' expr ':' expr ')' | IDENT '(' args ')' | IDENT
//! ```

use super::lexer::{Tok, Token, lex};
use super::{Ast, AstKind, BinOp, LocalSpan, MAX_EXPR_DEPTH, MAX_EXPR_LEN, ParseError};

const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "if", "then", "else", "true", "false", "any", "all",
];

/// Parses one expression.
pub fn parse(src: &str) -> Result<Ast, ParseError> {
    if src.len() > MAX_EXPR_LEN {
        return Err(ParseError {
            message: format!(
                "expression is {} bytes long; the limit is {MAX_EXPR_LEN}",
                src.len()
            ),
            span: LocalSpan { start: 0, end: 0 },
            help: Some("split it into named definitions".into()),
        });
    }
    let tokens = lex(src)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    if matches!(p.peek(), Tok::Eof) {
        return Err(ParseError {
            message: "empty expression".into(),
            span: p.span(),
            help: Some("write `true` for a condition that always holds".into()),
        });
    }
    let e = p.expr()?;
    if !matches!(p.peek(), Tok::Eof) {
        return Err(p.unexpected("end of expression"));
    }
    if let Some(at) = too_deep(&e) {
        return Err(ParseError {
            message: format!("expression nests deeper than {MAX_EXPR_DEPTH} levels"),
            span: at,
            help: Some("split it into named definitions".into()),
        });
    }
    Ok(e)
}

/// Where the tree is deeper than [`MAX_EXPR_DEPTH`], if it is.
///
/// The parser's own depth counter bounds its recursion, but a chain such as `1 + 1 + … + 1`
/// or `a.base.base…` is parsed by a loop and builds a tree as deep as the chain is long, and
/// every later stage (type checking, evaluation, printing) recurses over the tree. So the
/// height of the tree is limited too. Measured without recursion, so a tree of any height is
/// measured safely; the location is where the limit is crossed: for an operator, its right
/// operand; for a navigation step, its name.
fn too_deep(root: &Ast) -> Option<LocalSpan> {
    let mut stack = vec![(root, 1usize)];
    while let Some((ast, depth)) = stack.pop() {
        if depth > MAX_EXPR_DEPTH {
            let at = match &ast.kind {
                AstKind::Binary { rhs, .. } => rhs.span,
                AstKind::Field { name_span, .. } => *name_span,
                _ => ast.span,
            };
            return Some(LocalSpan {
                start: at.start,
                end: at.end,
            });
        }
        let d = depth + 1;
        match &ast.kind {
            AstKind::List(items) | AstKind::Call { args: items, .. } => {
                stack.extend(items.iter().map(|a| (a, d)));
            }
            AstKind::Field { target, .. } => stack.push((target, d)),
            AstKind::Not(e) | AstKind::Neg(e) => stack.push((e, d)),
            AstKind::Binary { lhs, rhs, .. } => {
                stack.push((lhs, d));
                stack.push((rhs, d));
            }
            AstKind::If { cond, then, els } => {
                stack.extend([(&**cond, d), (&**then, d), (&**els, d)]);
            }
            AstKind::Quant { over, body, .. } => {
                stack.push((over, d));
                stack.push((body, d));
            }
            AstKind::Bool(_)
            | AstKind::Num { .. }
            | AstKind::Date(_)
            | AstKind::Str(_)
            | AstKind::Name(_) => {}
        }
    }
    None
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.tokens.get(self.pos).map_or(&Tok::Eof, |t| &t.tok)
    }

    fn peek_at(&self, k: usize) -> &Tok {
        self.tokens.get(self.pos + k).map_or(&Tok::Eof, |t| &t.tok)
    }

    fn span(&self) -> LocalSpan {
        self.tokens
            .get(self.pos)
            .or_else(|| self.tokens.last())
            .map_or(LocalSpan { start: 0, end: 0 }, |t| t.span)
    }

    fn bump(&mut self) -> Token {
        let t = self.tokens.get(self.pos).cloned().unwrap_or(Token {
            tok: Tok::Eof,
            span: self.span(),
        });
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s == kw)
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, tok: &Tok, what: &str) -> Result<LocalSpan, ParseError> {
        if self.peek() == tok {
            Ok(self.bump().span)
        } else {
            Err(self.unexpected(what))
        }
    }

    fn expect_kw(&mut self, kw: &str) -> Result<LocalSpan, ParseError> {
        if self.is_kw(kw) {
            Ok(self.bump().span)
        } else {
            Err(self.unexpected(&format!("`{kw}`")))
        }
    }

    fn unexpected(&self, expected: &str) -> ParseError {
        let found = match self.peek() {
            Tok::Eof => "end of expression".to_string(),
            Tok::Num(_) => "a number".to_string(),
            Tok::Date(_) => "a date".to_string(),
            Tok::Str(s) => format!("string \"{s}\""),
            Tok::Ident(s) => format!("`{s}`"),
            other => format!("`{}`", tok_text(other)),
        };
        ParseError {
            message: format!("expected {expected}, found {found}"),
            span: self.span(),
            help: None,
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_EXPR_DEPTH {
            return Err(ParseError {
                message: format!("expression nests deeper than {MAX_EXPR_DEPTH} levels"),
                span: self.span(),
                help: Some("split it into named definitions".into()),
            });
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Ast, ParseError> {
        self.enter()?;
        let r = if self.is_kw("if") {
            let start = self.bump().span;
            let cond = self.expr()?;
            self.expect_kw("then")?;
            let then = self.expr()?;
            self.expect_kw("else")?;
            let els = self.expr()?;
            let span = start.to(els.span);
            Ok(Ast {
                kind: AstKind::If {
                    cond: Box::new(cond),
                    then: Box::new(then),
                    els: Box::new(els),
                },
                span,
            })
        } else {
            self.or()
        };
        self.depth -= 1;
        r
    }

    fn binary(op: BinOp, lhs: Ast, rhs: Ast) -> Ast {
        let span = lhs.span.to(rhs.span);
        Ast {
            kind: AstKind::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            span,
        }
    }

    fn or(&mut self) -> Result<Ast, ParseError> {
        let mut lhs = self.and()?;
        while self.eat_kw("or") {
            let rhs = self.and()?;
            lhs = Self::binary(BinOp::Or, lhs, rhs);
        }
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Ast, ParseError> {
        let mut lhs = self.not()?;
        while self.eat_kw("and") {
            let rhs = self.not()?;
            lhs = Self::binary(BinOp::And, lhs, rhs);
        }
        Ok(lhs)
    }

    fn not(&mut self) -> Result<Ast, ParseError> {
        if self.is_kw("not") {
            self.enter()?;
            let start = self.bump().span;
            let inner = self.not()?;
            self.depth -= 1;
            let span = start.to(inner.span);
            return Ok(Ast {
                kind: AstKind::Not(Box::new(inner)),
                span,
            });
        }
        self.cmp()
    }

    fn cmp(&mut self) -> Result<Ast, ParseError> {
        let lhs = self.sum()?;
        let op = match self.peek() {
            Tok::EqEq => Some(BinOp::Eq),
            Tok::Ne => Some(BinOp::Ne),
            Tok::Lt => Some(BinOp::Lt),
            Tok::Le => Some(BinOp::Le),
            Tok::Gt => Some(BinOp::Gt),
            Tok::Ge => Some(BinOp::Ge),
            Tok::Ident(s) if s == "in" => Some(BinOp::In),
            Tok::Ident(s)
                if s == "not" && matches!(self.peek_at(1), Tok::Ident(t) if t == "in") =>
            {
                Some(BinOp::NotIn)
            }
            _ => None,
        };
        let Some(op) = op else { return Ok(lhs) };
        self.bump();
        if op == BinOp::NotIn {
            self.bump();
        }
        let rhs = self.sum()?;
        let r = Self::binary(op, lhs, rhs);
        if matches!(
            self.peek(),
            Tok::EqEq | Tok::Ne | Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge
        ) {
            return Err(ParseError {
                message: "comparisons cannot be chained".into(),
                span: self.span(),
                help: Some("write `a < b and b < c`".into()),
            });
        }
        Ok(r)
    }

    fn sum(&mut self) -> Result<Ast, ParseError> {
        let mut lhs = self.product()?;
        loop {
            let op = match self.peek() {
                Tok::Plus => BinOp::Add,
                Tok::Minus => BinOp::Sub,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.product()?;
            lhs = Self::binary(op, lhs, rhs);
        }
    }

    fn product(&mut self) -> Result<Ast, ParseError> {
        let mut lhs = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Star => BinOp::Mul,
                Tok::Slash => BinOp::Div,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.unary()?;
            lhs = Self::binary(op, lhs, rhs);
        }
    }

    fn unary(&mut self) -> Result<Ast, ParseError> {
        if matches!(self.peek(), Tok::Minus) {
            self.enter()?;
            let start = self.bump().span;
            let inner = self.unary()?;
            self.depth -= 1;
            let span = start.to(inner.span);
            return Ok(Ast {
                kind: AstKind::Neg(Box::new(inner)),
                span,
            });
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Ast, ParseError> {
        let mut e = self.primary()?;
        let mut chain = 0usize;
        while matches!(self.peek(), Tok::Dot) {
            self.bump();
            chain += 1;
            if chain > MAX_EXPR_DEPTH {
                return Err(ParseError {
                    message: format!("navigation chain longer than {MAX_EXPR_DEPTH} steps"),
                    span: self.span(),
                    help: Some("name an intermediate step with a definition".into()),
                });
            }
            let t = self.bump();
            let Tok::Ident(name) = t.tok else {
                self.pos -= 1;
                return Err(self.unexpected("a name after `.`"));
            };
            let span = e.span.to(t.span);
            e = Ast {
                kind: AstKind::Field {
                    target: Box::new(e),
                    name,
                    name_span: t.span,
                },
                span,
            };
        }
        Ok(e)
    }

    fn primary(&mut self) -> Result<Ast, ParseError> {
        let t = self.bump();
        match t.tok {
            Tok::Num(value) => {
                // A unit directly after a number: `1e25 FLOP`, `14 days`.
                let unit = match self.peek() {
                    Tok::Ident(s) if !KEYWORDS.contains(&s.as_str()) => {
                        let u = self.bump();
                        match u.tok {
                            Tok::Ident(s) => Some((s, u.span)),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                let span = unit.as_ref().map_or(t.span, |(_, s)| t.span.to(*s));
                Ok(Ast {
                    kind: AstKind::Num { value, unit },
                    span,
                })
            }
            Tok::Date(d) => Ok(Ast {
                kind: AstKind::Date(d),
                span: t.span,
            }),
            Tok::Str(s) => Ok(Ast {
                kind: AstKind::Str(s),
                span: t.span,
            }),
            Tok::LParen => {
                let e = self.expr()?;
                let end = self.expect(&Tok::RParen, "`)`")?;
                Ok(Ast {
                    kind: e.kind,
                    span: t.span.to(end),
                })
            }
            Tok::LBracket => {
                self.enter()?;
                let mut items = Vec::new();
                if !matches!(self.peek(), Tok::RBracket) {
                    loop {
                        items.push(self.expr()?);
                        if matches!(self.peek(), Tok::Comma) {
                            self.bump();
                            if matches!(self.peek(), Tok::RBracket) {
                                break;
                            }
                        } else {
                            break;
                        }
                    }
                }
                let end = self.expect(&Tok::RBracket, "`,` or `]`")?;
                self.depth -= 1;
                Ok(Ast {
                    kind: AstKind::List(items),
                    span: t.span.to(end),
                })
            }
            Tok::Ident(name) => match name.as_str() {
                "true" | "false" => Ok(Ast {
                    kind: AstKind::Bool(name == "true"),
                    span: t.span,
                }),
                "any" | "all" if matches!(self.peek(), Tok::LParen) => {
                    self.enter()?;
                    self.bump();
                    let v = self.bump();
                    let Tok::Ident(var) = v.tok else {
                        self.pos -= 1;
                        return Err(self.unexpected("a variable name"));
                    };
                    self.expect_kw("in")?;
                    let over = self.sum()?;
                    self.expect(&Tok::Colon, "`:`")?;
                    let body = self.expr()?;
                    let end = self.expect(&Tok::RParen, "`)`")?;
                    self.depth -= 1;
                    Ok(Ast {
                        kind: AstKind::Quant {
                            all: name == "all",
                            var,
                            var_span: v.span,
                            over: Box::new(over),
                            body: Box::new(body),
                        },
                        span: t.span.to(end),
                    })
                }
                kw if KEYWORDS.contains(&kw) => {
                    self.pos -= 1;
                    Err(self.unexpected("a value"))
                }
                _ if matches!(self.peek(), Tok::LParen) => {
                    self.enter()?;
                    self.bump();
                    let mut args = Vec::new();
                    if !matches!(self.peek(), Tok::RParen) {
                        loop {
                            args.push(self.expr()?);
                            if matches!(self.peek(), Tok::Comma) {
                                self.bump();
                            } else {
                                break;
                            }
                        }
                    }
                    let end = self.expect(&Tok::RParen, "`,` or `)`")?;
                    self.depth -= 1;
                    Ok(Ast {
                        kind: AstKind::Call { name, args },
                        span: t.span.to(end),
                    })
                }
                _ => Ok(Ast {
                    kind: AstKind::Name(name),
                    span: t.span,
                }),
            },
            _ => {
                self.pos -= 1;
                Err(self.unexpected("a value"))
            }
        }
    }
}

fn tok_text(t: &Tok) -> &'static str {
    match t {
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::LBracket => "[",
        Tok::RBracket => "]",
        Tok::Comma => ",",
        Tok::Colon => ":",
        Tok::Dot => ".",
        Tok::Plus => "+",
        Tok::Minus => "-",
        Tok::Star => "*",
        Tok::Slash => "/",
        Tok::EqEq => "==",
        Tok::Ne => "!=",
        Tok::Lt => "<",
        Tok::Le => "<=",
        Tok::Gt => ">",
        Tok::Ge => ">=",
        _ => "?",
    }
}

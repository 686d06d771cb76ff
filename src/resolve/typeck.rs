//! Name resolution and type checking of expressions.

use super::{Builder, SpanMap};
use crate::diag::{Diagnostic, suggest};
use crate::expr::{Ast, AstKind, BinOp};
use crate::ir::*;
use crate::source::Span;

/// Variables in scope, by environment slot.
pub(crate) struct Scope {
    slots: Vec<Option<(String, Type)>>,
}

impl Scope {
    /// `vars` are placed from slot 0 for rules (actor, subject) or from slot 1 for definitions
    /// (whose single variable is their subject).
    pub fn new(vars: Vec<(String, Type)>, subject_only: bool) -> Scope {
        let mut slots: Vec<Option<(String, Type)>> = Vec::new();
        if subject_only {
            slots.push(None);
        }
        slots.extend(vars.into_iter().map(Some));
        while slots.len() < 2 {
            slots.push(None);
        }
        Scope { slots }
    }

    fn lookup(&self, name: &str) -> Option<(u16, &Type)> {
        self.slots
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, s)| match s {
                Some((n, t)) if n == name => Some((u16::try_from(i).unwrap_or(u16::MAX), t)),
                _ => None,
            })
    }

    fn names(&self) -> impl Iterator<Item = &str> {
        self.slots.iter().flatten().map(|(n, _)| n.as_str())
    }
}

fn type_name(rs: &RuleSet, t: &Type) -> String {
    match t {
        Type::Bool => "a condition (true/false)".into(),
        Type::Num(Unit::None) => "a number".into(),
        Type::Num(u) => format!("a number in {}", u.name()),
        Type::Date => "a date".into(),
        Type::Duration => "a duration".into(),
        Type::Enum(e) => format!(
            "a value of `{}`",
            rs.enumeration(*e).map_or("?", |x| x.id.as_str())
        ),
        Type::Set(e) => format!(
            "a set of `{}`",
            rs.enumeration(*e).map_or("?", |x| x.id.as_str())
        ),
        Type::Text => "text".into(),
        Type::Entity(k) => k.a().to_string(),
        Type::Entities(k) => format!("a list of {k}s"),
        Type::Error => "?".into(),
    }
}

fn err_expr(span: Span) -> Expr {
    Expr {
        kind: ExprKind::Error,
        ty: Type::Error,
        span,
    }
}

fn same(a: &Type, b: &Type) -> bool {
    matches!(a, Type::Error) || matches!(b, Type::Error) || a == b
}

impl Builder<'_> {
    pub(crate) fn check_expr(
        &mut self,
        inst: InstrumentId,
        scope: &Scope,
        map: SpanMap,
        ast: &Ast,
        want: Option<&Type>,
    ) -> Expr {
        let mut cx = Cx {
            scope: Scope {
                slots: scope.slots.clone(),
            },
            map,
            inst,
        };
        let e = self.check(&mut cx, ast, want);
        if let Some(w) = want {
            if !same(&e.ty, w) {
                let found = type_name(&self.rs, &e.ty);
                let wanted = type_name(&self.rs, w);
                self.diags.push(
                    Diagnostic::error("E0202", format!("expected {wanted}, found {found}"))
                        .at(e.span)
                        .label(format!("this is {found}")),
                );
            }
        }
        e
    }

    fn mismatch(&mut self, span: Span, msg: String, help: Option<String>) {
        let mut d = Diagnostic::error("E0202", msg).at(span);
        if let Some(h) = help {
            d = d.help(h);
        }
        self.diags.push(d);
    }

    fn check(&mut self, cx: &mut Cx, ast: &Ast, want: Option<&Type>) -> Expr {
        let span = cx.map.map(ast.span);
        let mk = |kind: ExprKind, ty: Type| Expr { kind, ty, span };
        match &ast.kind {
            AstKind::Bool(b) => mk(ExprKind::Lit(Value::Bool(*b)), Type::Bool),
            AstKind::Num { value, unit } => match unit {
                None => mk(ExprKind::Lit(Value::Num(*value)), Type::Num(Unit::None)),
                Some((u, uspan)) => {
                    if let Some(unit) = Unit::parse(u) {
                        mk(ExprKind::Lit(Value::Num(*value)), Type::Num(unit))
                    } else if let Some(d) = DurUnit::parse(u) {
                        if value.fract() != 0.0 || value.abs() > 100_000.0 {
                            self.mismatch(
                                span,
                                format!(
                                    "a duration must be a whole number up to 100000, not `{value}`"
                                ),
                                None,
                            );
                            return err_expr(span);
                        }
                        #[expect(
                            clippy::cast_possible_truncation,
                            reason = "checked whole and small above"
                        )]
                        let n = *value as i64;
                        mk(ExprKind::Lit(Value::Dur(n, d)), Type::Duration)
                    } else {
                        let mut names: Vec<&str> = Unit::NAMED.iter().map(|u| u.name()).collect();
                        names.extend(["days", "working_days", "weeks", "months", "years"]);
                        let mut d = Diagnostic::error("E0204", format!("unknown unit `{u}`"))
                            .at(cx.map.map(*uspan));
                        d = match suggest(u, names.iter().copied()) {
                            Some(s) => {
                                d.help(format!("did you mean `{s}`? units: {}", names.join(", ")))
                            }
                            None => d.help(format!("units: {}", names.join(", "))),
                        };
                        self.diags.push(d);
                        err_expr(span)
                    }
                }
            },
            AstKind::Date(d) => mk(ExprKind::Lit(Value::Date(*d)), Type::Date),
            AstKind::Str(s) => match want {
                Some(Type::Enum(e)) => {
                    let e = *e;
                    match self.enum_value(e, s, span) {
                        Some(i) => mk(ExprKind::Lit(Value::Enum(i)), Type::Enum(e)),
                        None => err_expr(span),
                    }
                }
                _ => mk(ExprKind::Lit(Value::Text(s.clone())), Type::Text),
            },
            AstKind::List(items) => match want {
                Some(Type::Set(e)) => {
                    let e = *e;
                    let mut bits: u128 = 0;
                    for it in items {
                        if let AstKind::Str(s) = &it.kind {
                            if let Some(i) = self.enum_value(e, s, cx.map.map(it.span)) {
                                bits |= 1u128 << i;
                            }
                        } else {
                            self.mismatch(
                                cx.map.map(it.span),
                                "list items must be quoted enum values".into(),
                                None,
                            );
                        }
                    }
                    mk(ExprKind::Lit(Value::Set(bits)), Type::Set(e))
                }
                _ => {
                    self.mismatch(
                        span,
                        "a list here has no type".into(),
                        Some("lists are written after `in`, against an enum fact: `system.purpose in [\"a\", \"b\"]`".into()),
                    );
                    err_expr(span)
                }
            },
            AstKind::Name(name) => self.name(cx, name, span),
            AstKind::Field {
                target,
                name,
                name_span,
            } if matches!(&target.kind, AstKind::Name(n) if n == "reading")
                && cx.scope.lookup("reading").is_none() =>
            {
                self.reading(name, cx.map.map(*name_span), span)
            }
            AstKind::Field {
                target,
                name,
                name_span,
            } => {
                let t = self.check(cx, target, None);
                self.field(cx, t, name, cx.map.map(*name_span), span)
            }
            AstKind::Call { name, args } => self.call(cx, name, args, span),
            AstKind::Not(inner) => {
                let e = self.check(cx, inner, Some(&Type::Bool));
                self.expect_ty(&e, &Type::Bool);
                mk(ExprKind::Not(Box::new(e)), Type::Bool)
            }
            AstKind::Neg(inner) => {
                let e = self.check(cx, inner, None);
                let ty = e.ty.clone();
                if !matches!(ty, Type::Num(_) | Type::Error) {
                    let f = type_name(&self.rs, &ty);
                    self.mismatch(span, format!("cannot negate {f}"), None);
                }
                mk(ExprKind::Neg(Box::new(e)), ty)
            }
            AstKind::If { cond, then, els } => {
                let c = self.check(cx, cond, Some(&Type::Bool));
                self.expect_ty(&c, &Type::Bool);
                let t = self.check(cx, then, want);
                let e = self.check(cx, els, Some(&t.ty));
                if !same(&t.ty, &e.ty) {
                    let a = type_name(&self.rs, &t.ty);
                    let b = type_name(&self.rs, &e.ty);
                    self.mismatch(
                        e.span,
                        format!("`then` gives {a} but `else` gives {b}"),
                        Some("both branches must have the same type".into()),
                    );
                }
                let ty = if matches!(t.ty, Type::Error) {
                    e.ty.clone()
                } else {
                    t.ty.clone()
                };
                mk(ExprKind::If(Box::new(c), Box::new(t), Box::new(e)), ty)
            }
            AstKind::Quant {
                all,
                var,
                var_span,
                over,
                body,
            } => {
                let o = self.check(cx, over, None);
                let kind = match &o.ty {
                    Type::Entities(k) => Some(*k),
                    Type::Error => None,
                    other => {
                        let f = type_name(&self.rs, other);
                        self.mismatch(
                            o.span,
                            format!("`{}` needs a list, found {f}", if *all { "all" } else { "any" }),
                            Some("lists are links such as `system.deployments` or `model.derivatives`".into()),
                        );
                        None
                    }
                };
                let slot = u16::try_from(cx.scope.slots.len()).unwrap_or(u16::MAX);
                let _ = var_span;
                cx.scope
                    .slots
                    .push(Some((var.clone(), kind.map_or(Type::Error, Type::Entity))));
                let b = self.check(cx, body, Some(&Type::Bool));
                self.expect_ty(&b, &Type::Bool);
                cx.scope.slots.pop();
                mk(
                    ExprKind::Quant {
                        all: *all,
                        slot,
                        over: Box::new(o),
                        body: Box::new(b),
                    },
                    Type::Bool,
                )
            }
            AstKind::Binary { op, lhs, rhs } => self.binary(cx, *op, lhs, rhs, span),
        }
    }

    fn reading(&mut self, name: &str, name_span: Span, span: Span) -> Expr {
        if let Some(q) = self.rs.question_by_name(name) {
            let ty = self
                .rs
                .question(q)
                .map_or(Type::Error, |x| Type::Enum(x.values));
            return Expr {
                kind: ExprKind::Reading(q),
                ty,
                span,
            };
        }
        let names: Vec<&str> = self.rs.questions.iter().map(|q| q.id.as_str()).collect();
        let mut d = Diagnostic::error("E0312", format!("no question `{name}` is declared"))
            .at(name_span)
            .label("not a `[[question]]` of the rule set");
        d = match suggest(name, names.iter().copied()) {
            Some(x) => d.help(format!("did you mean `{x}`?")),
            None => d.help(
                "declare the unsettled point with `[[question]]` and its `[[question.reading]]`s",
            ),
        };
        self.diags.push(d);
        err_expr(span)
    }

    fn expect_ty(&mut self, e: &Expr, t: &Type) {
        if !same(&e.ty, t) {
            let f = type_name(&self.rs, &e.ty);
            let w = type_name(&self.rs, t);
            self.mismatch(e.span, format!("expected {w}, found {f}"), None);
        }
    }

    fn enum_value(&mut self, e: EnumId, s: &str, span: Span) -> Option<u16> {
        let def = self.rs.enumeration(e)?;
        if let Some(i) = def.values.iter().position(|v| v == s) {
            return u16::try_from(i).ok();
        }
        let id = def.id.clone();
        let hint = match suggest(s, def.values.iter().map(String::as_str)) {
            Some(x) => format!("did you mean `{x}`? values: {}", def.values.join(", ")),
            None => format!("values: {}", def.values.join(", ")),
        };
        self.diags.push(
            Diagnostic::error("E0202", format!("`{s}` is not a value of `{id}`"))
                .at(span)
                .help(hint),
        );
        None
    }

    fn name(&mut self, cx: &Cx, name: &str, span: Span) -> Expr {
        if let Some((slot, ty)) = cx.scope.lookup(name) {
            return Expr {
                kind: ExprKind::Var(slot),
                ty: ty.clone(),
                span,
            };
        }
        if let Some(&id) = self.def_index.get(&(cx.inst, None, name.to_string())) {
            self.check_def(id);
            let ty = self.rs.def(id).map_or(Type::Error, |d| d.expr.ty.clone());
            return Expr {
                kind: ExprKind::Const(id),
                ty,
                span,
            };
        }
        let mut candidates: Vec<String> = cx.scope.names().map(str::to_string).collect();
        candidates.extend(
            self.def_index
                .keys()
                .filter(|(i, on, _)| *i == cx.inst && on.is_none())
                .map(|(_, _, n)| n.clone()),
        );
        candidates.sort();
        let mut d = Diagnostic::error("E0201", format!("unknown name `{name}`")).at(span);
        // A fact or definition written without its subject is a common slip.
        let on_kind = Kind::ALL.into_iter().find(|k| {
            self.rs.fact_by_name(*k, name).is_some()
                || self
                    .def_index
                    .contains_key(&(cx.inst, Some(*k), name.to_string()))
        });
        let other = self
            .def_index
            .iter()
            .filter(|((i, _, n), _)| *i != cx.inst && n == name)
            .filter_map(|((i, _, _), _)| self.rs.instrument(*i).map(|x| x.id.clone()))
            .min();
        if let Some(inst) = other {
            d = d.help(format!(
                "`{name}` is defined by `{inst}`; definitions are not shared between instruments"
            ));
        } else if let Some(k) = on_kind {
            d = d.help(format!(
                "`{name}` is an attribute of {}: write `{k}.{name}`",
                k.a()
            ));
        } else if let Some(s) = suggest(name, candidates.iter().map(String::as_str)) {
            d = d.help(format!("did you mean `{s}`?"));
        } else {
            d = d.help(format!("names in scope: {}", candidates.join(", ")));
        }
        self.diags.push(d);
        err_expr(span)
    }

    fn field(&mut self, cx: &Cx, target: Expr, name: &str, name_span: Span, span: Span) -> Expr {
        let kind = match &target.ty {
            Type::Entity(k) => *k,
            Type::Error => return err_expr(span),
            other => {
                let f = type_name(&self.rs, other);
                self.mismatch(
                    name_span,
                    format!("`.{name}` needs a model, system, deployment or actor; this is {f}"),
                    None,
                );
                return err_expr(span);
            }
        };
        if let Some(link) = Link::find(kind, name) {
            let (_, _, to, list) = link.signature();
            let ty = if list {
                Type::Entities(to)
            } else {
                Type::Entity(to)
            };
            return Expr {
                kind: ExprKind::Link(Box::new(target), link),
                ty,
                span,
            };
        }
        if let Some(f) = self.rs.fact_by_name(kind, name) {
            let ty = self.rs.fact(f).map_or(Type::Error, |x| x.ty.clone());
            return Expr {
                kind: ExprKind::Fact(Box::new(target), f),
                ty,
                span,
            };
        }
        if let Some(&id) = self.def_index.get(&(cx.inst, Some(kind), name.to_string())) {
            self.check_def(id);
            let ty = self.rs.def(id).map_or(Type::Error, |d| d.expr.ty.clone());
            return Expr {
                kind: ExprKind::Def(Box::new(target), id),
                ty,
                span,
            };
        }
        let mut names: Vec<String> = Link::ALL
            .iter()
            .filter(|l| l.signature().0 == kind)
            .map(|l| l.name().to_string())
            .collect();
        names.extend(
            self.rs
                .facts
                .iter()
                .filter(|f| f.on == kind)
                .map(|f| f.id.clone()),
        );
        names.extend(
            self.def_index
                .keys()
                .filter(|(i, on, _)| *i == cx.inst && *on == Some(kind))
                .map(|(_, _, n)| n.clone()),
        );
        names.sort();
        let mut d = Diagnostic::error("E0201", format!("unknown name `{name}` on {kind}"))
            .at(name_span)
            .label(format!("not a fact, definition or link of {kind}"));
        let other = self
            .def_index
            .iter()
            .filter(|((i, on, n), _)| *i != cx.inst && *on == Some(kind) && n == name)
            .filter_map(|((i, _, _), _)| self.rs.instrument(*i).map(|x| x.id.clone()))
            .min();
        if let Some(inst) = other {
            d = d.help(format!(
                "`{name}` is defined by `{inst}`; definitions are not shared between instruments"
            ));
        } else if let Some(s) = suggest(name, names.iter().map(String::as_str)) {
            d = d.help(format!("did you mean `{s}`?"));
        } else {
            d = d.help(format!(
                "facts are declared in the shared vocabulary (jurisdictions/facts.toml); definitions need `on = \"{kind}\"`"
            ));
        }
        self.diags.push(d);
        err_expr(span)
    }

    fn call(&mut self, cx: &mut Cx, name: &str, args: &[Ast], span: Span) -> Expr {
        let arity = |n: usize, this: &mut Self| -> bool {
            if args.len() == n {
                true
            } else {
                this.mismatch(
                    span,
                    format!(
                        "`{name}` takes {n} argument{}, not {}",
                        if n == 1 { "" } else { "s" },
                        args.len()
                    ),
                    None,
                );
                false
            }
        };
        match name {
            "present" => {
                if !arity(1, self) {
                    return err_expr(span);
                }
                let Some(a) = args.first() else {
                    return err_expr(span);
                };
                let e = self.check(cx, a, None);
                Expr {
                    kind: ExprKind::Present(Box::new(e)),
                    ty: Type::Bool,
                    span,
                }
            }
            "min" | "max" => {
                if !arity(2, self) {
                    return err_expr(span);
                }
                let (Some(a), Some(b)) = (args.first(), args.get(1)) else {
                    return err_expr(span);
                };
                let a = self.check(cx, a, None);
                let b = self.check(cx, b, Some(&a.ty));
                let ty = match (&a.ty, &b.ty) {
                    (Type::Num(x), Type::Num(y)) if x == y => a.ty.clone(),
                    (Type::Date, Type::Date) => Type::Date,
                    (Type::Error, t) | (t, Type::Error) => t.clone(),
                    (x, y) => {
                        let (x, y) = (type_name(&self.rs, x), type_name(&self.rs, y));
                        self.mismatch(
                            span,
                            format!("`{name}` of {x} and {y}"),
                            Some("both must be numbers of the same unit, or dates".into()),
                        );
                        Type::Error
                    }
                };
                let kind = if name == "min" {
                    ExprKind::Min(Box::new(a), Box::new(b))
                } else {
                    ExprKind::Max(Box::new(a), Box::new(b))
                };
                Expr { kind, ty, span }
            }
            _ => {
                let mut d =
                    Diagnostic::error("E0201", format!("unknown function `{name}`")).at(span);
                d = match suggest(name, ["present", "min", "max", "any", "all"]) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help("functions: present, min, max, any, all"),
                };
                self.diags.push(d);
                err_expr(span)
            }
        }
    }

    fn is_untyped_literal(a: &Ast) -> bool {
        matches!(a.kind, AstKind::Str(_) | AstKind::List(_))
    }

    fn binary(&mut self, cx: &mut Cx, op: BinOp, lhs: &Ast, rhs: &Ast, span: Span) -> Expr {
        let mk = |kind: ExprKind, ty: Type| Expr { kind, ty, span };
        match op {
            BinOp::And | BinOp::Or => {
                let a = self.check(cx, lhs, Some(&Type::Bool));
                self.expect_ty(&a, &Type::Bool);
                let b = self.check(cx, rhs, Some(&Type::Bool));
                self.expect_ty(&b, &Type::Bool);
                let kind = if op == BinOp::And {
                    ExprKind::And(Box::new(a), Box::new(b))
                } else {
                    ExprKind::Or(Box::new(a), Box::new(b))
                };
                mk(kind, Type::Bool)
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let (a, b) = if Self::is_untyped_literal(lhs) && !Self::is_untyped_literal(rhs) {
                    let b = self.check(cx, rhs, None);
                    let a = self.check(cx, lhs, Some(&b.ty));
                    (a, b)
                } else {
                    let a = self.check(cx, lhs, None);
                    let b = self.check(cx, rhs, Some(&a.ty));
                    (a, b)
                };
                let ordered = !matches!(op, BinOp::Eq | BinOp::Ne);
                let ok = match (&a.ty, &b.ty) {
                    (Type::Error, _) | (_, Type::Error) => true,
                    (Type::Num(x), Type::Num(y)) => x == y || *x == Unit::None || *y == Unit::None,
                    (Type::Date, Type::Date) => true,
                    (x, y) if !ordered => {
                        x == y && !matches!(x, Type::Entities(_) | Type::Duration)
                    }
                    _ => false,
                };
                if !ok {
                    let (x, y) = (type_name(&self.rs, &a.ty), type_name(&self.rs, &b.ty));
                    self.mismatch(
                        span,
                        format!("cannot compare {x} with {y} using `{}`", op.symbol()),
                        Some(if ordered {
                            "`<`, `<=`, `>`, `>=` compare numbers of the same unit, or dates".into()
                        } else {
                            "both sides must have the same type".into()
                        }),
                    );
                }
                let cop = match op {
                    BinOp::Eq => CmpOp::Eq,
                    BinOp::Ne => CmpOp::Ne,
                    BinOp::Lt => CmpOp::Lt,
                    BinOp::Le => CmpOp::Le,
                    BinOp::Gt => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                mk(ExprKind::Cmp(cop, Box::new(a), Box::new(b)), Type::Bool)
            }
            BinOp::In | BinOp::NotIn => {
                let (a, b) = if Self::is_untyped_literal(rhs) {
                    let a = self.check(cx, lhs, None);
                    let want = match &a.ty {
                        Type::Enum(e) => Some(Type::Set(*e)),
                        _ => None,
                    };
                    let b = self.check(cx, rhs, want.as_ref());
                    (a, b)
                } else {
                    let b = self.check(cx, rhs, None);
                    let want = match &b.ty {
                        Type::Set(e) => Some(Type::Enum(*e)),
                        _ => None,
                    };
                    let a = self.check(cx, lhs, want.as_ref());
                    (a, b)
                };
                let ok = match (&a.ty, &b.ty) {
                    (Type::Error, _) | (_, Type::Error) => true,
                    (Type::Enum(x), Type::Set(y)) => x == y,
                    _ => false,
                };
                if !ok {
                    let (x, y) = (type_name(&self.rs, &a.ty), type_name(&self.rs, &b.ty));
                    self.mismatch(
                        span,
                        format!("cannot test whether {x} is in {y}"),
                        Some("`in` tests a value of an enum against a set of that enum".into()),
                    );
                }
                mk(
                    ExprKind::In(Box::new(a), Box::new(b), op == BinOp::NotIn),
                    Type::Bool,
                )
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let a = self.check(cx, lhs, None);
                let b = self.check(cx, rhs, None);
                let ty = match (op, &a.ty, &b.ty) {
                    (_, Type::Error, _) | (_, _, Type::Error) => Some(Type::Error),
                    (BinOp::Add | BinOp::Sub, Type::Num(x), Type::Num(y))
                        if x == y || *y == Unit::None =>
                    {
                        Some(Type::Num(*x))
                    }
                    (BinOp::Add | BinOp::Sub, Type::Num(Unit::None), Type::Num(y)) => {
                        Some(Type::Num(*y))
                    }
                    (BinOp::Add | BinOp::Sub, Type::Date, Type::Duration) => Some(Type::Date),
                    (BinOp::Mul, Type::Num(x), Type::Num(Unit::None)) => Some(Type::Num(*x)),
                    (BinOp::Mul, Type::Num(Unit::None), Type::Num(y)) => Some(Type::Num(*y)),
                    (BinOp::Div, Type::Num(x), Type::Num(Unit::None)) => Some(Type::Num(*x)),
                    (BinOp::Div, Type::Num(x), Type::Num(y)) if x == y => {
                        Some(Type::Num(Unit::None))
                    }
                    _ => None,
                };
                let ty = ty.unwrap_or_else(|| {
                    let (x, y) = (type_name(&self.rs, &a.ty), type_name(&self.rs, &b.ty));
                    self.mismatch(
                        span,
                        format!("cannot apply `{}` to {x} and {y}", op.symbol()),
                        Some("arithmetic needs numbers of compatible units; dates take `+`/`-` a duration such as `14 days`".into()),
                    );
                    Type::Error
                });
                let aop = match op {
                    BinOp::Add => ArithOp::Add,
                    BinOp::Sub => ArithOp::Sub,
                    BinOp::Mul => ArithOp::Mul,
                    _ => ArithOp::Div,
                };
                mk(ExprKind::Arith(aop, Box::new(a), Box::new(b)), ty)
            }
        }
    }
}

pub(crate) struct Cx {
    scope: Scope,
    map: SpanMap,
    inst: InstrumentId,
}

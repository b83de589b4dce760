//! Property test: printing a random tree and parsing it back gives the same tree.

use entra_rules::{
    CollectionTest, Comparison, DateTime, Expr, IsoDuration, Operator, PlanField, Property,
    PropertyDef, PropertyType, Quantifier, Rule, Spanned, Value, known_properties, parse,
};
use proptest::prelude::*;

fn scalar_props() -> Vec<&'static PropertyDef> {
    known_properties()
        .filter(|d| !d.ty.is_collection())
        .collect()
}

fn props_of(ty: PropertyType) -> Vec<&'static PropertyDef> {
    known_properties().filter(|d| d.ty == ty).collect()
}

fn datetime() -> impl Strategy<Value = DateTime> {
    // 0000-01-01 .. 9999-12-31, the range the printer writes with four-digit years.
    (
        -62_167_219_200i64..253_402_300_800,
        prop_oneof![Just(0u32), 0u32..1_000_000_000],
    )
        .prop_map(|(unix_seconds, nanos)| DateTime {
            unix_seconds,
            nanos,
        })
}

fn duration() -> impl Strategy<Value = IsoDuration> {
    (
        any::<bool>(),
        prop::array::uniform7(prop_oneof![Just(0u32), 0u32..5000, any::<u32>()]),
    )
        .prop_map(|(negative, v)| {
            let mut d = IsoDuration {
                negative,
                years: v[0],
                months: v[1],
                weeks: v[2],
                days: v[3],
                hours: v[4],
                minutes: v[5],
                seconds: v[6],
            };
            if v.iter().all(|x| *x == 0) {
                d.negative = false;
            }
            d
        })
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 '\"`\\[\\](),.-]{0,12}",
        Just("`".to_owned()),
        Just("'".to_owned()),
        Just("\"".to_owned()),
    ]
}

fn scalar_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        text().prop_map(Value::String),
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Number),
        datetime().prop_map(Value::DateTime),
        prop::option::of(duration()).prop_map(Value::Now),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => scalar_value(),
        1 => prop::collection::vec(scalar_value().prop_map(Spanned::bare), 0..4).prop_map(Value::Array),
    ]
}

fn operator() -> impl Strategy<Value = Operator> {
    prop::sample::select(Operator::ALL.to_vec())
}

fn comparison(property: impl Strategy<Value = Property>) -> impl Strategy<Value = Expr> {
    (property, operator(), value()).prop_map(|(p, op, v)| {
        Expr::Comparison(Comparison {
            property: Spanned::bare(p),
            operator: Spanned::bare(op),
            value: Spanned::bare(v),
        })
    })
}

fn top_property() -> impl Strategy<Value = Property> {
    prop_oneof![
        8 => prop::sample::select(scalar_props()).prop_map(Property::Known),
        1 => "[A-Za-z][A-Za-z0-9_]{0,10}".prop_map(|n| Property::Extension(format!("extension_0123456789abcdef0123456789ABCDEF_{n}"))),
    ]
}

/// Joins operands, flattening nested operands of the same kind as the parser does.
fn chain(and: bool, children: Vec<Expr>) -> Expr {
    let mut items = Vec::new();
    for c in children {
        match (and, c) {
            (true, Expr::And(cs)) | (false, Expr::Or(cs)) => items.extend(cs),
            (_, other) => items.push(Spanned::bare(other)),
        }
    }
    if and {
        Expr::And(items)
    } else {
        Expr::Or(items)
    }
}

fn boolean(leaf: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (any::<bool>(), prop::collection::vec(inner.clone(), 2..4))
                .prop_map(|(and, cs)| chain(and, cs)),
            inner.prop_map(|e| Expr::Not(Box::new(Spanned::bare(e)))),
        ]
    })
}

fn collection(
    property: &'static [PropertyType],
    body: BoxedStrategy<Expr>,
) -> impl Strategy<Value = Expr> {
    let props: Vec<_> = property.iter().flat_map(|t| props_of(*t)).collect();
    (
        prop::sample::select(props),
        prop_oneof![Just(Quantifier::Any), Just(Quantifier::All)],
        body,
    )
        .prop_map(|(p, q, b)| {
            Expr::Collection(CollectionTest {
                property: Spanned::bare(Property::Known(p)),
                quantifier: Spanned::bare(q),
                condition: Box::new(Spanned::bare(b)),
            })
        })
}

fn expr() -> impl Strategy<Value = Expr> {
    let element = boolean(comparison(Just(Property::Element)).boxed()).boxed();
    let plan = boolean(
        comparison(prop::sample::select(PlanField::ALL.to_vec()).prop_map(Property::AssignedPlan))
            .boxed(),
    )
    .boxed();
    let groups = comparison(Just(Property::GroupObjectId)).boxed();
    let leaf = prop_oneof![
        6 => comparison(top_property()),
        1 => collection(&[PropertyType::StringCollection], element),
        1 => collection(&[PropertyType::AssignedPlans], plan),
        1 => collection(&[PropertyType::MemberOf], groups),
        1 => text().prop_map(|id| Expr::DirectReports(Spanned::bare(id))),
    ]
    .boxed();
    boolean(leaf)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn print_then_parse_is_identity(e in expr()) {
        let rule = Rule::from_expr(e);
        let printed = rule.to_string();
        let reparsed = parse(&printed).map_err(|err| TestCaseError::fail(format!("{printed}\n{err}")))?;
        prop_assert_eq!(&reparsed, &rule, "printed: {}", printed);
        prop_assert_eq!(reparsed.to_string(), printed);
    }
}

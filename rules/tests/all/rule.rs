//! Queries over a parsed [`entra_rules::Rule`]: its subject, the Graph properties it
//! reads, and equality that ignores cosmetics.

#![allow(clippy::unwrap_used)]

use entra_rules::{Subject, parse};

#[test]
fn subject_and_graph_properties() {
    let r =
        parse("(deviceOSType -eq 'Windows') -and device.extensionAttribute3 -eq \"x\"").unwrap();
    assert_eq!(r.subject(), Subject::Device);
    assert_eq!(
        r.graph_properties(),
        vec!["extensionAttributes", "operatingSystem"]
    );
    let r = parse("user.assignedPlans -any (assignedPlan.service -eq \"x\") -or user.objectId -ne null -or user.mail -eq null").unwrap();
    assert_eq!(r.subject(), Subject::User);
    assert_eq!(r.graph_properties(), vec!["assignedPlans", "id", "mail"]);
    let r = parse("Direct Reports for \"aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb\"").unwrap();
    assert_eq!(r.graph_properties(), vec!["id", "managerId"]);
}

#[test]
fn equality_ignores_cosmetics() {
    let a = parse("user.department -eq 'Sales'").unwrap();
    let b = parse("(user.Department   EQ \"Sales\")").unwrap();
    assert_eq!(a, b);
    let c = parse("user.department -eq 'sales'").unwrap();
    assert_ne!(a, c);
}

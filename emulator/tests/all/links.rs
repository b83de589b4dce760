//! Absolute URLs in responses (`@odata.nextLink`, `@odata.context`, `@odata.id`,
//! discovery) follow the origin the client used: its `Host`, or a TLS front's
//! `X-Forwarded-Proto` and `X-Forwarded-Host`.

#![allow(clippy::unwrap_used)]

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

/// "Seattle Office": 6 members in the demo tenant.
const SEATTLE: &str = "c0ffee00-0000-4000-8004-000000000001";
const FRONT: &str = "https://graph.example.test";

fn forwarded(h: &Harness, method: Method, path_or_url: &str) -> reqwest::RequestBuilder {
    let url = if path_or_url.starts_with("http") {
        path_or_url.to_owned()
    } else {
        format!("{}{path_or_url}", h.url)
    };
    h.client
        .request(method, url)
        .bearer_auth(&h.token)
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-Host", "graph.example.test, proxy.internal")
}

async fn json_of(r: reqwest::RequestBuilder) -> Value {
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

#[tokio::test]
async fn forwarded_headers_set_the_origin_of_every_link() {
    let h = start().await;
    let members = format!("{AUS}/{SEATTLE}/members");
    let v = json_of(forwarded(&h, Method::GET, &format!("{members}?$top=2"))).await;
    let next = str_at(&v, "@odata.nextLink");
    assert!(next.starts_with(&format!("{FRONT}{members}?")), "{next}");
    assert!(str_at(&v, "@odata.context").starts_with(&format!("{FRONT}/v1.0/$metadata#")));
    // The link's path and query are the emulator's own: through the front, it works.
    let behind = next.replace(FRONT, &h.url);
    let v = json_of(forwarded(&h, Method::GET, &behind)).await;
    assert_eq!(v["value"].as_array().unwrap().len(), 2);

    let refs = json_of(forwarded(
        &h,
        Method::GET,
        &format!("{members}/$ref?$top=2"),
    ))
    .await;
    assert!(str_at(&refs, "@odata.context").starts_with(&format!("{FRONT}/v1.0/$metadata#")));
    assert!(str_at(&refs, "@odata.nextLink").starts_with(&format!("{FRONT}{members}/$ref?")));
    for r in refs["value"].as_array().unwrap() {
        let id = str_at(r, "@odata.id");
        assert!(
            id.starts_with(&format!("{FRONT}/v1.0/directoryObjects/")),
            "{id}"
        );
    }

    let batch = json!({"requests": [{"id": "1", "method": "GET", "url": format!("/directory/administrativeUnits/{SEATTLE}/members?$top=2")}]});
    let v = json_of(forwarded(&h, Method::POST, "/v1.0/$batch").json(&batch)).await;
    let item = &v["responses"][0]["body"];
    assert!(
        str_at(item, "@odata.nextLink").starts_with(&format!("{FRONT}{members}?")),
        "{item}"
    );
    assert!(str_at(item, "@odata.context").starts_with(&format!("{FRONT}/v1.0/")));

    let discovery = format!("/{}/v2.0/.well-known/openid-configuration", h.tenant);
    let v = json_of(forwarded(&h, Method::GET, &discovery)).await;
    assert_eq!(
        str_at(&v, "token_endpoint"),
        format!("{FRONT}/{}/oauth2/v2.0/token", h.tenant)
    );
}

#[tokio::test]
async fn plain_links_use_the_host_the_client_used() {
    let h = start().await;
    assert!(h.url.starts_with("http://127.0.0.1:"));
    let members = format!("{AUS}/{SEATTLE}/members");
    let mut url = format!("{}{members}?$top=4", h.url);
    let mut ids = Vec::new();
    loop {
        let v = json_of(h.client.get(&url).bearer_auth(&h.token)).await;
        assert!(str_at(&v, "@odata.context").starts_with(&format!("{}/v1.0/$metadata#", h.url)));
        ids.extend(
            v["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| str_at(m, "id").to_owned()),
        );
        match v["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(next.starts_with(&format!("{}{members}?", h.url)), "{next}");
                url = next.to_owned();
            }
            None => break,
        }
    }
    assert_eq!(ids.len(), 6);

    let refs = h.get_json(&format!("{members}/$ref")).await;
    for r in refs["value"].as_array().unwrap() {
        assert!(str_at(r, "@odata.id").starts_with(&format!("{}/v1.0/directoryObjects/", h.url)));
    }

    // Another name for the same listener: links follow the Host header.
    let port = h.url.rsplit(':').next().unwrap();
    let v = json_of(
        h.req(Method::GET, &format!("{members}?$top=4"))
            .header("host", format!("localhost:{port}")),
    )
    .await;
    let next = str_at(&v, "@odata.nextLink");
    assert!(
        next.starts_with(&format!("http://localhost:{port}{members}?")),
        "{next}"
    );
}

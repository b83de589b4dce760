//! Many requests from one operation (an authoritative member list): sent as `$batch`
//! requests of 20, a few batches at a time, in rounds. Items that fail in a way
//! worth resending (throttled, transient, replication lag, no answer) go into the
//! next round's batches after the longest Retry-After among them, so a throttled
//! apply of 1,000 members costs a few more batches, not 100 single requests. Each
//! item keeps its own answer; one item's failure never fails another.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::json;

use super::batch::{BatchResponse, ItemResponse, MAX_BATCH, Request, item_body, item_header};
use super::error::{GraphError, parse_api_error};
use super::request::{Call, Outcome, Policy, Reply};
use super::retry::{backoff, is_retryable_status, may_resend, retry_after_value};
use super::transport::Transport;

/// Batches in flight at once.
const CONCURRENT_BATCHES: usize = 5;

/// One request's progress through the rounds.
struct Item {
    request: Request,
    /// Sent again after a failure that may have run it.
    resent: bool,
    /// Since when Graph has answered 404 about an object of ours (lag, until
    /// [`GONE_AFTER`](super::consistency::GONE_AFTER)).
    own_lag_since: Option<Instant>,
    attempts: u32,
    outcome: Option<Outcome>,
}

/// What to do with one item after a round.
enum Next {
    Done(Result<Reply, GraphError>),
    Again { wait: Duration, error: GraphError },
}

/// Sends every request, in batches, until each has an answer, the deadline passes,
/// or Terraform asks to stop. Outcomes come back in the order of `requests`.
pub(crate) async fn send_all(
    transport: &Transport,
    call: &Call,
    requests: Vec<Request>,
) -> Vec<Outcome> {
    let mut items: Vec<Item> = requests
        .into_iter()
        .map(|request| Item {
            request,
            resent: false,
            own_lag_since: None,
            attempts: 0,
            outcome: None,
        })
        .collect();
    loop {
        let pending: Vec<usize> = (0..items.len())
            .filter(|&i| items[i].outcome.is_none())
            .collect();
        if pending.is_empty() {
            break;
        }
        let answers = send_round(transport, call, &items, &pending).await;
        let mut wait = Duration::ZERO;
        let mut noteworthy = false;
        let mut again = Vec::new();
        for (index, answer) in pending.into_iter().zip(answers) {
            let item = &mut items[index];
            item.attempts += 1;
            match classify(transport, item, answer) {
                Next::Done(result) => item.outcome = Some(Outcome::of(result, item.resent)),
                Next::Again { wait: w, error } => {
                    wait = wait.max(w);
                    let policy = &item.request.policy;
                    noteworthy |= !(transport.is_lag(policy, &error)
                        && transport.only_own_lag(policy, &error));
                    again.push((index, error));
                }
            }
        }
        if again.is_empty() {
            continue;
        }
        let give_up = |items: &mut Vec<Item>, again: Vec<(usize, GraphError)>, timeout: bool| {
            for (index, error) in again {
                let item = &mut items[index];
                let error = if timeout {
                    GraphError::Timeout {
                        attempts: item.attempts,
                        last: Box::new(error),
                    }
                } else {
                    GraphError::Cancelled
                };
                item.outcome = Some(Outcome::of(Err(error), item.resent));
            }
        };
        if Instant::now() + wait > call.deadline {
            give_up(&mut items, again, true);
            continue;
        }
        tracing::debug!(
            items = again.len(),
            wait_ms = wait.as_millis() as u64,
            "resending batch items"
        );
        let _waiting = noteworthy.then(super::waits::waiting);
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = call.cancel.cancelled() => give_up(&mut items, again, false),
        }
    }
    items
        .into_iter()
        .map(|item| {
            item.outcome
                .unwrap_or_else(|| Outcome::of(Err(GraphError::Cancelled), item.resent))
        })
        .collect()
}

/// One item's answer in a round: its status, body and headers, or `None` when the
/// batch as a whole failed or left the item out.
type Answer = Option<ItemResponse>;

/// Sends the `pending` items as batches, [`CONCURRENT_BATCHES`] at a time.
async fn send_round(
    transport: &Transport,
    call: &Call,
    items: &[Item],
    pending: &[usize],
) -> Vec<Answer> {
    let batches: Vec<_> = pending
        .chunks(MAX_BATCH)
        .map(<[usize]>::to_vec)
        .enumerate()
        .map(|(n, chunk)| async move { (n, send_batch(transport, call, items, &chunk).await) })
        .collect();
    let mut answers: Vec<(usize, Vec<Answer>)> = futures_util::stream::iter(batches)
        .buffer_unordered(CONCURRENT_BATCHES)
        .collect()
        .await;
    answers.sort_by_key(|(n, _)| *n);
    answers.into_iter().flat_map(|(_, a)| a).collect()
}

async fn send_batch(
    transport: &Transport,
    call: &Call,
    items: &[Item],
    chunk: &[usize],
) -> Vec<Answer> {
    let requests: Vec<serde_json::Value> = chunk
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let r = &items[i].request;
            let mut item =
                json!({"id": (n + 1).to_string(), "method": r.method.as_str(), "url": r.path});
            if let Some(body) = &r.body {
                item["body"] = body.clone();
                item["headers"] = json!({"Content-Type": "application/json"});
            }
            item
        })
        .collect();
    let sent = transport
        .send(
            call,
            reqwest::Method::POST,
            "/$batch",
            Some(&json!({ "requests": requests })),
            &Policy::default(),
        )
        .await;
    let mut responses = match sent.and_then(|reply| {
        serde_json::from_slice::<BatchResponse>(&reply.body)
            .map_err(|e| GraphError::Decode(format!("$batch response did not parse: {e}")))
    }) {
        Ok(batch) => batch.responses,
        Err(e) => {
            tracing::debug!(error = %e, items = chunk.len(), "$batch failed; its items go to the next round");
            Vec::new()
        }
    };
    (1..=chunk.len())
        .map(|n| {
            let id = n.to_string();
            responses
                .iter()
                .position(|r| r.id == id)
                .map(|p| responses.swap_remove(p))
        })
        .collect()
}

/// Whether an item is answered, or worth sending again and after how long.
fn classify(transport: &Transport, item: &mut Item, answer: Answer) -> Next {
    let policy = &item.request.policy;
    let method = &item.request.method;
    let Some(answer) = answer else {
        // No answer: the batch may or may not have run it.
        if policy.resendable || may_resend(method, None) {
            item.resent = true;
            return Next::Again {
                wait: backoff(item.attempts + 1),
                error: GraphError::Decode("the $batch request failed or left this item out".into()),
            };
        }
        return Next::Done(Err(GraphError::Decode(
            "the $batch request failed; this item may or may not have run".into(),
        )));
    };
    let Ok(status) = reqwest::StatusCode::from_u16(answer.status) else {
        return Next::Done(Err(GraphError::Decode(format!(
            "$batch item status {} is not an HTTP status",
            answer.status
        ))));
    };
    if status.is_success() {
        return Next::Done(Ok(Reply {
            status,
            body: item_body(answer.body),
        }));
    }
    if answer.status == 429 {
        super::waits::note_throttled();
    }
    let retry_after = item_header(&answer, "retry-after").and_then(|v| retry_after_value(&v));
    let request_id = item_header(&answer, "request-id");
    let body = item_body(answer.body);
    let error = GraphError::Api(parse_api_error(answer.status, request_id, &body));
    let wait = retry_after.unwrap_or_else(|| backoff(item.attempts + 1));
    if transport.is_lag(policy, &error) {
        let own_only = transport.only_own_lag(policy, &error);
        let since = *item.own_lag_since.get_or_insert_with(Instant::now);
        if !(own_only && since.elapsed() >= super::consistency::GONE_AFTER) {
            return Next::Again { wait, error };
        }
    }
    if is_retryable_status(status) && (policy.resendable || may_resend(method, Some(status))) {
        item.resent |= status.is_server_error();
        return Next::Again { wait, error };
    }
    Next::Done(Err(error))
}

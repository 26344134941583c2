//! One attempt at a delivery: sign, POST, and say what came of it.

use std::time::{Duration, Instant};

use super::guard;
use super::signing;
use crate::domain::webhook::MAX_PAYLOAD;

/// How much of a receiver's answer is kept in the delivery log.
pub const EXCERPT_BYTES: usize = 1024;
/// A receiver has this long to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// What one attempt needs.
#[derive(Clone, Debug)]
pub struct Job {
    pub delivery_id: uuid::Uuid,
    pub endpoint_id: uuid::Uuid,
    pub attempt: i32,
    pub url: String,
    /// The current secret's key first; during a rotation the previous one's too.
    pub keys: Vec<Vec<u8>>,
    pub event_id: uuid::Uuid,
    pub body: String,
}

/// What an attempt came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver answered (any status).
    Answered {
        status: u16,
        retry_after: Option<Duration>,
        excerpt: String,
    },
    /// No answer: refused address, connection failure, timeout.
    Failed(String),
    /// Not sent at all, and never will be (too large).
    NotSent(String),
}

#[derive(Clone, Debug)]
pub struct Attempt {
    pub outcome: Outcome,
    pub duration: Duration,
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let raw = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = raw.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(raw).ok()?;
    (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
        .to_std()
        .ok()
}

/// Reads at most `EXCERPT_BYTES` of the answer (a receiver streaming forever is cut off).
async fn excerpt(mut response: reqwest::Response) -> String {
    let mut kept = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = EXCERPT_BYTES - kept.len();
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if kept.len() >= EXCERPT_BYTES {
            break;
        }
    }
    String::from_utf8_lossy(&kept).into_owned()
}

/// The error of a failed request, without the URL reqwest puts in it (the log of an
/// endpoint already names its URL) but with what caused it.
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(500).collect()
}

/// Makes one attempt.
pub async fn send(client: &reqwest::Client, allow_private: bool, job: &Job) -> Attempt {
    let started = Instant::now();
    let done = |outcome| Attempt {
        outcome,
        duration: started.elapsed(),
    };
    if job.body.len() > MAX_PAYLOAD {
        return done(Outcome::NotSent(format!(
            "the payload is {} bytes, over the 256 KiB limit; not sent",
            job.body.len()
        )));
    }
    // A literal address is not resolved, so the guarded resolver never sees it: check here.
    if let Err(problem) = guard::check_shape(&job.url, allow_private) {
        return done(Outcome::Failed(format!("the URL {problem}")));
    }
    let id = job.event_id.to_string();
    let timestamp = chrono::Utc::now().timestamp();
    let signature = signing::signature_header(&job.keys, &id, timestamp, job.body.as_bytes());
    let request = client
        .post(&job.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(job.body.clone());
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let retry_after = retry_after(response.headers());
            let excerpt = excerpt(response).await;
            done(Outcome::Answered {
                status,
                retry_after,
                excerpt,
            })
        }
        Err(e) => done(Outcome::Failed(describe(&e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(reqwest::header::RETRY_AFTER, "120".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(120)));
        let later = chrono::Utc::now() + chrono::Duration::seconds(600);
        let date = later.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        h.insert(reqwest::header::RETRY_AFTER, date.parse().unwrap());
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(590) && d <= Duration::from_secs(600),
            "{d:?}"
        );
        h.insert(reqwest::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }
}

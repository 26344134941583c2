//! A real HTTP receiver on loopback, started by a test: it records every request and answers
//! from a script (then with its default), so a test can make it fail, hang or go away.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;

#[derive(Clone, Debug)]
pub enum Answer {
    Status(u16),
    /// A status with `Retry-After: <seconds>`.
    RetryAfter(u16, u64),
    /// No answer for a minute (longer than Kriya waits).
    Hang,
}

#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }
}

struct Inner {
    script: VecDeque<Answer>,
    default: Answer,
    got: Vec<Received>,
}

pub struct Receiver {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
    server: actix_web::dev::ServerHandle,
}

async fn answer(
    req: HttpRequest,
    body: web::Bytes,
    inner: web::Data<Mutex<Inner>>,
) -> HttpResponse {
    let next = {
        let mut inner = inner.lock().unwrap();
        inner.got.push(Received {
            headers: req
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                .collect(),
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        let default = inner.default.clone();
        inner.script.pop_front().unwrap_or(default)
    };
    let status = |code: u16| actix_web::http::StatusCode::from_u16(code).unwrap();
    match next {
        Answer::Status(code) => HttpResponse::build(status(code)).body(format!("answered {code}")),
        Answer::RetryAfter(code, secs) => HttpResponse::build(status(code))
            .insert_header(("Retry-After", secs.to_string()))
            .finish(),
        Answer::Hang => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            HttpResponse::Ok().finish()
        }
    }
}

impl Receiver {
    /// Starts a receiver answering `default` once its script is spent.
    pub async fn start(default: Answer) -> Self {
        let inner = Arc::new(Mutex::new(Inner {
            script: VecDeque::new(),
            default,
            got: Vec::new(),
        }));
        let data = web::Data::from(inner.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(answer))
        })
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .unwrap();
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            url: format!("http://127.0.0.1:{port}/hook"),
            inner,
            server: handle,
        }
    }

    /// The next answers, in order.
    pub fn script(&self, answers: impl IntoIterator<Item = Answer>) {
        self.inner.lock().unwrap().script.extend(answers);
    }

    pub fn set_default(&self, answer: Answer) {
        self.inner.lock().unwrap().default = answer;
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().got.clone()
    }

    /// What arrived once at least `n` requests did (panics after 20 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{} of {n} requests arrived",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The requests of events of type `kind`.
    pub fn of_type(&self, kind: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.json()["type"] == kind)
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        drop(self.server.stop(false));
    }
}

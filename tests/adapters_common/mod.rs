//! A local stand-in for a commerce platform: an axum server on an ephemeral loopback port that
//! records every request (method, path, query, headers, JSON body) and answers with what the
//! test's `answer` function gives, from fixture files written in the platform's documented shapes.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// One request as the platform saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub headers: BTreeMap<String, String>,
    pub body: serde_json::Value,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_lowercase()).map(String::as_str)
    }
}

/// What the platform answers.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Answer {
    pub fn json(body: String) -> Self {
        Answer {
            status: 200,
            headers: vec![("content-type", "application/json".to_owned())],
            body,
        }
    }

    pub fn status(status: u16, content_type: &str, body: String) -> Self {
        Answer {
            status,
            headers: vec![("content-type", content_type.to_owned())],
            body,
        }
    }
}

type AnswerFn = dyn Fn(&Seen) -> Answer + Send + Sync;

/// The running stand-in.
pub struct Platform {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    answer: Arc<Mutex<Arc<AnswerFn>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Platform {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Platform {
    /// Starts the stand-in answering with `answer`.
    pub async fn start(answer: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Platform {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let answer: Arc<Mutex<Arc<AnswerFn>>> = Arc::new(Mutex::new(Arc::new(answer)));
        let app = {
            let seen = Arc::clone(&seen);
            let answer = Arc::clone(&answer);
            Router::new().fallback(
                move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                    let seen = Arc::clone(&seen);
                    let answer = Arc::clone(&answer);
                    async move {
                        let request = Seen {
                            method: method.to_string(),
                            path: uri.path().to_owned(),
                            query: url::form_urlencoded::parse(
                                uri.query().unwrap_or("").as_bytes(),
                            )
                            .into_owned()
                            .collect(),
                            headers: headers
                                .iter()
                                .map(|(k, v)| {
                                    (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned())
                                })
                                .collect(),
                            body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
                        };
                        let respond = Arc::clone(&*answer.lock().unwrap());
                        let reply = respond(&request);
                        seen.lock().unwrap().push(request);
                        let mut response: Response =
                            (StatusCode::from_u16(reply.status).unwrap(), reply.body)
                                .into_response();
                        for (name, value) in reply.headers {
                            response.headers_mut().insert(name, value.parse().unwrap());
                        }
                        response
                    }
                },
            )
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Platform {
            url,
            seen,
            answer,
            task,
        }
    }

    /// Answers from now on with `answer`.
    pub fn answer_with(&self, answer: impl Fn(&Seen) -> Answer + Send + Sync + 'static) {
        *self.answer.lock().unwrap() = Arc::new(answer);
    }

    /// The requests seen so far, and forgets them.
    pub fn take_seen(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

/// A fixture file's text.
pub fn fixture(platform: &str, name: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "fixtures",
        "adapters",
        platform,
        name,
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

//! The accept loop: one task per connection, each of which a handler can cut without answering
//! (the `drop-response` fault), and all of which shutdown cuts, hanging requests included.

use std::sync::Arc;
use std::time::Duration;

use axum::{Extension, Router};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

/// Pause after a failed accept (e.g. out of file descriptors) so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Lets a handler close its connection without an answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConnectionCutter(Arc<Notify>);

impl ConnectionCutter {
    /// Closes the connection; the handler's future is dropped with it.
    pub fn cut(&self) {
        self.0.notify_one();
    }

    async fn cut_requested(&self) {
        self.0.notified().await;
    }
}

/// Serves `router` on `listener` until `shutdown` turns true (or its sender is gone).
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(serve_connection(stream, router.clone()));
                }
                Err(e) => {
                    log::warn!("sim: accepting a connection failed: {e}");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.abort_all();
}

async fn serve_connection(stream: TcpStream, router: Router) {
    let cutter = ConnectionCutter::default();
    let service = TowerToHyperService::new(router.layer(Extension(cutter.clone())));
    let connection =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(e) = result {
                log::debug!("sim: connection ended: {e}");
            }
        }
        // Dropping the connection closes the socket without writing an answer.
        () = cutter.cut_requested() => {}
    }
}

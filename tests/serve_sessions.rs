//! Twenty sessions in one serve, one of which stops reading (a phone in a tunnel): the others
//! keep getting frames, and the stalled one holds at most one frame — newer frames replace it
//! instead of queueing. Measured by counting frames, never by the clock.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod serve_common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use russh::ChannelMsg;
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use serve_common::Served;

const SESSIONS: usize = 20;
const COLS: u32 = 120;
const ROWS: u32 = 40;
/// Generous: two cores shared with builds.
const DEADLINE: Duration = Duration::from_secs(120);

struct TrustingClient;

impl russh::client::Handler for TrustingClient {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

#[test]
fn a_client_that_stops_reading_never_holds_up_the_others() {
    // Keepalives would (rightly) end the stalled connection after three go unanswered; the
    // stall has to outlast the test, however slow the machine.
    let hour = Duration::from_secs(3600);
    let mut served = Served::start_with_keepalive(hour, true, hour, hour);
    let key_of = |name: &str| {
        Arc::new(
            PrivateKey::from_openssh(std::fs::read_to_string(served.key(name)).unwrap()).unwrap(),
        )
    };
    // ravi's session is the one that stalls, so it can be told from maya's nineteen.
    let (maya, ravi) = (key_of("maya"), key_of("ravi"));
    // A small window and channel buffer: the stalled client stops acknowledging after a few
    // frames instead of after megabytes, so the stall comes quickly; the others read on.
    let config = Arc::new(russh::client::Config {
        window_size: 32 * 1024,
        channel_buffer_size: 4,
        ..Default::default()
    });
    let addr = served.addr;
    let received: Vec<Arc<AtomicU64>> =
        (0..SESSIONS).map(|_| Arc::new(AtomicU64::new(0))).collect();

    // Connect all twenty; session 0 (ravi) never reads after its shell starts.
    let stalled = served.runtime.block_on(async {
        let mut stalled = None;
        for (index, counter) in received.iter().enumerate() {
            let mut handle = russh::client::connect(config.clone(), addr, TrustingClient)
                .await
                .unwrap();
            let (user, key) = if index == 0 {
                ("ravi", &ravi)
            } else {
                ("maya", &maya)
            };
            let auth = handle
                .authenticate_publickey(user, PrivateKeyWithHashAlg::new(key.clone(), None))
                .await
                .unwrap();
            assert!(auth.success(), "session {index} authenticated");
            let mut channel = handle.channel_open_session().await.unwrap();
            channel
                .request_pty(false, "xterm-256color", COLS, ROWS, 0, 0, &[])
                .await
                .unwrap();
            channel.request_shell(false).await.unwrap();
            if index == 0 {
                stalled = Some((handle, channel));
                continue;
            }
            let counter = counter.clone();
            tokio::spawn(async move {
                let _handle = handle;
                while let Some(msg) = channel.wait().await {
                    if let ChannelMsg::Data { data } = msg {
                        counter.fetch_add(data.len() as u64, Ordering::SeqCst);
                    }
                }
            });
        }
        stalled
    });
    wait_until(&served, "twenty rooms open", |s| {
        (s.len() == SESSIONS).then_some(())
    });
    let stalled_id = served
        .serve()
        .sessions()
        .iter()
        .find(|s| s.info.name == "ravi")
        .expect("ravi's room")
        .info
        .id;

    // Change the board until the stalled session's writer stops taking frames: its `taken`
    // stays put over 20 board changes while its room keeps drawing.
    let mut rounds = 0;
    let mut still = 0;
    let mut last_taken = u64::MAX;
    while still < 20 {
        rounds += 1;
        assert!(rounds < 5000, "the stalled session never stalled");
        bump_and_wait_for_all_rooms(&served);
        let taken = stats_of(&served, stalled_id).taken;
        still = if taken == last_taken { still + 1 } else { 0 };
        last_taken = taken;
    }
    let before = stats_of(&served, stalled_id);
    eprintln!("stalled after {rounds} board changes: {before:?}");
    let bytes_before: Vec<u64> = received.iter().map(|c| c.load(Ordering::SeqCst)).collect();

    // Forty more board changes: every reading session gets new frames, the stalled one none.
    for _ in 0..40 {
        bump_and_wait_for_all_rooms(&served);
    }
    let after = stats_of(&served, stalled_id);
    assert_eq!(
        after.taken, before.taken,
        "the stalled session's writer took no frame"
    );
    assert!(
        after.offered >= before.offered + 40,
        "its room kept drawing: {before:?} → {after:?}"
    );
    assert!(
        after.replaced >= before.replaced + 39,
        "newer frames replaced the waiting one: {before:?} → {after:?}"
    );
    // One whole 120×40 frame, at most: a character and at worst a style and a cursor move per cell.
    let whole_frame_bound = (COLS * ROWS * 24) as usize;
    assert!(
        after.pending_bytes > 0 && after.pending_bytes <= whole_frame_bound,
        "{after:?}"
    );
    wait_until(&served, "every reading session got new frames", |_| {
        let grown = received
            .iter()
            .zip(&bytes_before)
            .skip(1)
            .all(|(now, before)| now.load(Ordering::SeqCst) > *before);
        grown.then_some(())
    });
    let got: Vec<u64> = received
        .iter()
        .zip(&bytes_before)
        .skip(1)
        .map(|(now, b)| now.load(Ordering::SeqCst) - b)
        .collect();
    eprintln!("after 40 more: stalled {after:?}; bytes each reading session got: {got:?}");
    drop(stalled);
    served.shutdown();
}

fn stats_of(served: &Served, id: u64) -> dropday::serve::frames::FrameStats {
    served
        .serve()
        .sessions()
        .into_iter()
        .find(|s| s.info.id == id)
        .expect("session open")
        .frames
}

/// One board change, then wait until every room has drawn it.
fn bump_and_wait_for_all_rooms(served: &Served) {
    let before: Vec<u64> = served
        .serve()
        .sessions()
        .iter()
        .map(|s| s.frames.offered)
        .collect();
    served.bump_board();
    wait_until(served, "every room drew the change", |sessions| {
        (sessions.len() == before.len()
            && sessions
                .iter()
                .zip(&before)
                .all(|(s, b)| s.frames.offered > *b))
        .then_some(())
    });
}

fn wait_until<T>(
    served: &Served,
    what: &str,
    mut cond: impl FnMut(&[dropday::serve::SessionSnapshot]) -> Option<T>,
) -> T {
    let deadline = std::time::Instant::now() + DEADLINE;
    loop {
        if let Some(found) = cond(&served.serve().sessions()) {
            return found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

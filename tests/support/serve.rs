//! What the two fake servers (GitHub, the registry proxy) share: serving an axum app from a
//! thread of its own until told to stop, and decoding percent-encoded text.

use std::future::IntoFuture;
use std::thread::JoinHandle;
use std::time::Duration;

/// Serve `app` on `listener` (non-blocking) from a new thread with its own runtime, until the
/// returned sender is used or dropped.
pub fn spawn(
    listener: std::net::TcpListener,
    app: axum::Router,
) -> (tokio::sync::oneshot::Sender<()>, JoinHandle<()>) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("test server runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
            tokio::select! {
                _ = axum::serve(listener, app).into_future() => {}
                _ = stopped => {}
            }
        });
        // Clients that keep connections alive must not hold the test up.
        runtime.shutdown_timeout(Duration::from_millis(200));
    });
    (stop, thread)
}

/// `%XX` escapes decoded; anything else (a lone `%` included) kept as it is.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

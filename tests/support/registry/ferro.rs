//! Finding (or installing) ferro and starting it on a free port.

use super::*;

/// Starts ferro on a port of its choosing (no race for a free port) and returns it once it
/// answers `GET /config.json`, with its own origin.
pub(super) fn start_ferro(data: &Path, advertised: &str) -> (Child, String) {
    let bin = tools::FERRO.bin();
    let mut child = Command::new(&bin)
        .env("FERRO_CARGO_REGISTRY_LISTEN", "127.0.0.1:0")
        .env("FERRO_CARGO_REGISTRY_DATA", data)
        .env("FERRO_CARGO_REGISTRY_API", advertised)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
    let output = Arc::new(Mutex::new(String::new()));
    let (bound, address) = mpsc::channel::<String>();
    let stdout = child.stdout.take().expect("ferro stdout");
    let seen = Arc::clone(&output);
    // Draining both pipes for ferro's whole life keeps it from blocking on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.split_once("bound=").map(|(_, r)| r) {
                let _ = bound.send(
                    rest.split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                );
            }
            let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            if seen.len() < 64 << 10 {
                seen.push_str(&line);
                seen.push('\n');
            }
        }
    });
    let mut stderr = child.stderr.take().expect("ferro stderr");
    let seen = Arc::clone(&output);
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        seen.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_str(&text);
    });
    let failed = |child: &mut Child, why: &str| -> ! {
        let _ = child.kill();
        let _ = child.wait();
        std::thread::sleep(Duration::from_millis(100));
        let output = output.lock().unwrap_or_else(|e| e.into_inner()).clone();
        panic!("{FERRO} {why}; its output:\n{output}")
    };
    let Ok(address) = address.recv_timeout(START_TIMEOUT) else {
        failed(&mut child, "did not say where it listens")
    };
    let origin = format!("http://{address}");
    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(2))
        .build()
        .expect("blocking client");
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        let answer = client.get(format!("{origin}/config.json")).send();
        if answer.is_ok_and(|a| a.status().is_success()) {
            return (child, origin);
        }
        if Instant::now() > deadline {
            failed(&mut child, "did not answer GET /config.json");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

use std::process::ExitCode;

use releasekit_cargo::hint::Hint;

fn main() -> ExitCode {
    let env = releasekit_cargo::config::Env::from_process();
    let in_actions = env.in_actions();
    let mut stdout = std::io::stdout().lock();
    match releasekit_cargo::run(std::env::args_os(), &env, &mut stdout) {
        Ok(()) => ExitCode::SUCCESS,
        Err(releasekit_cargo::error::Error::Config(
            releasekit_cargo::config::ConfigError::Cli(clap),
        )) => {
            // clap renders its own usage and help; --help and --version go to stdout with 0.
            drop(stdout);
            let _ = clap.print();
            ExitCode::from(u8::try_from(clap.exit_code()).unwrap_or(2))
        }
        Err(err) => {
            drop(stdout);
            let mut text = format!("error: {err}");
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                text.push_str(&format!("\n  caused by: {cause}"));
                source = cause.source();
            }
            if let Some(hint) = err.hint() {
                text.push_str(&format!("\nhint: {hint}"));
            }
            if in_actions {
                println!(
                    "{}",
                    releasekit_cargo::adapters::actions::annotation("error", None, None, &text)
                );
            }
            // The error may quote text nobody vouches for (a PR body, cargo's output): inert on
            // stderr too, which the runner reads for workflow commands as well.
            let mut stderr = std::io::stderr().lock();
            let mut console =
                releasekit_cargo::adapters::actions::Console::new(&mut stderr, in_actions);
            let _ = console.text(&format!("{text}\n"));
            let _ = console.resume();
            ExitCode::from(err.exit_code())
        }
    }
}

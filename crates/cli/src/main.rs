//! The `streamhooks` binary: hands the real standard streams to [`streamhooks_cli::run`].

use std::io::{self, BufWriter, IsTerminal};
use std::process::ExitCode;

use streamhooks_cli::{Console, run};

fn main() -> ExitCode {
    let mut stdin = io::stdin().lock();
    // Not locked for the life of the process: `streamhooks dev` logs from its worker threads
    // through tracing, which writes to stderr itself and would wait forever on a held lock.
    let mut stdout = BufWriter::new(io::stdout());
    let mut stderr = io::stderr();
    let stderr_is_terminal = stderr.is_terminal();
    let console = Console {
        stdin: &mut stdin,
        stdout: &mut stdout,
        stderr: &mut stderr,
        stderr_is_terminal,
    };
    ExitCode::from(run(std::env::args_os(), console))
}

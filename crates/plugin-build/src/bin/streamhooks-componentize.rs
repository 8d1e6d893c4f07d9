//! `streamhooks-componentize`: turns plugin core modules into checked components.
//!
//! ```text
//! streamhooks-componentize <core.wasm> <component.wasm>   componentize one module and check it
//! streamhooks-componentize --check <component.wasm>...    check components built elsewhere
//! ```
//!
//! Used by `scripts/build-plugins.sh`; the library is `streamhooks_plugin_build`.

use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: streamhooks-componentize <core.wasm> <component.wasm>\n       \
                     streamhooks-componentize --check <component.wasm>...";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [flag, components @ ..] if flag == "--check" && !components.is_empty() => {
            components.iter().try_for_each(|c| check(Path::new(c)))
        }
        [input, output] if !input.starts_with('-') => componentize(input, output),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("streamhooks-componentize: {message}");
            ExitCode::FAILURE
        }
    }
}

fn componentize(input: &str, output: &str) -> Result<(), String> {
    let core = std::fs::read(input).map_err(|e| format!("{input}: {e}"))?;
    let component =
        streamhooks_plugin_build::componentize(&core).map_err(|e| format!("{input}: {e}"))?;
    std::fs::write(output, &component).map_err(|e| format!("{output}: {e}"))?;
    let imports = streamhooks_plugin_build::component_imports(&component)
        .map_err(|e| format!("{output}: {e}"))?;
    println!(
        "{output}: {} bytes (core module {} bytes), imports {}",
        component.len(),
        core.len(),
        imports.join(", ")
    );
    Ok(())
}

fn check(path: &Path) -> Result<(), String> {
    let shown = path.display();
    let component = std::fs::read(path).map_err(|e| format!("{shown}: {e}"))?;
    streamhooks_plugin_build::check_imports(&component).map_err(|e| format!("{shown}: {e}"))?;
    streamhooks_plugin_build::check_exports(&component).map_err(|e| format!("{shown}: {e}"))?;
    println!("{shown}: ok");
    Ok(())
}

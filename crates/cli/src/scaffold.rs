//! `streamhooks plugin new` and the language side of `streamhooks plugin build`: each plugin
//! language has a template (a working plugin with its manifest, a test and a build) and a
//! build tool of its own ecosystem, which `plugin build` calls.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A language plugins can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Lang {
    /// Rust with the `streamhooks-sdk` crate (sdk/rust).
    Rust,
    /// JavaScript with `@streamhooks/plugin-sdk` (sdk/js), built by componentize-js.
    Js,
    /// Python with `streamhooks-sdk` (sdk/python), built by componentize-py.
    Python,
}

impl Lang {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Lang::Rust => "Rust",
            Lang::Js => "JavaScript",
            Lang::Python => "Python",
        }
    }

    /// The template's files: (path in the new plugin, contents with placeholders).
    fn template(self) -> &'static [(&'static str, &'static str)] {
        macro_rules! files {
            ($lang:literal: $($path:literal => $file:literal),+ $(,)?) => {
                &[$(($path, include_str!(concat!("../templates/", $lang, "/", $file)))),+]
            };
        }
        match self {
            Lang::Rust => files!("rust":
                "plugin.toml" => "plugin.toml",
                "Cargo.toml" => "Cargo.toml",
                "src/lib.rs" => "src/lib.rs",
                "README.md" => "README.md",
                ".gitignore" => "gitignore",
            ),
            Lang::Js => files!("js":
                "plugin.toml" => "plugin.toml",
                "package.json" => "package.json",
                "src/plugin.js" => "src/plugin.js",
                "test/plugin.test.js" => "test/plugin.test.js",
                "README.md" => "README.md",
                ".gitignore" => "gitignore",
            ),
            Lang::Python => files!("python":
                "plugin.toml" => "plugin.toml",
                "pyproject.toml" => "pyproject.toml",
                "app.py" => "app.py",
                "test_app.py" => "test_app.py",
                "README.md" => "README.md",
                ".gitignore" => "gitignore",
            ),
        }
    }

    /// The file that marks a plugin source folder of this language.
    fn marker(self) -> &'static str {
        match self {
            Lang::Rust => "Cargo.toml",
            Lang::Js => "package.json",
            Lang::Python => "pyproject.toml",
        }
    }

    /// The language of the plugin source folder `dir`, from its marker file.
    pub(crate) fn of_source(dir: &Path) -> Result<Lang, String> {
        if !dir.join("plugin.toml").is_file() {
            return Err(format!(
                "{}: no plugin.toml: not a plugin source folder",
                dir.display()
            ));
        }
        let found: Vec<Lang> = [Lang::Rust, Lang::Js, Lang::Python]
            .into_iter()
            .filter(|lang| dir.join(lang.marker()).is_file())
            .collect();
        match found.as_slice() {
            [lang] => Ok(*lang),
            [] => Err(format!(
                "{}: cannot tell the plugin's language: it needs Cargo.toml (Rust), package.json \
                 (JavaScript) or pyproject.toml (Python)",
                dir.display()
            )),
            several => Err(format!(
                "{}: cannot tell the plugin's language: it has {} (one of them only)",
                dir.display(),
                several
                    .iter()
                    .map(|l| l.marker())
                    .collect::<Vec<_>>()
                    .join(" and ")
            )),
        }
    }
}

/// The streamhooks checkout whose `sdk/` folders a new plugin depends on (absolute). The SDKs
/// are not published to crates.io, npm or PyPI yet, so a plugin needs a checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SdkSource(pub(crate) PathBuf);

impl SdkSource {
    /// The checkout holding `start` or one of its parents (found by `sdk/wit/streamhooks.wit`),
    /// else the one the running executable was built in.
    pub(crate) fn find(start: &Path) -> Option<SdkSource> {
        let exe = std::env::current_exe().ok();
        [Some(start), exe.as_deref()]
            .into_iter()
            .flatten()
            .find_map(|from| {
                from.ancestors()
                    .find(|dir| is_checkout(dir))
                    .map(Path::to_owned)
            })
            .map(SdkSource)
    }

    /// The dependency on the SDK as the language's manifest writes it.
    fn dependency(&self, lang: Lang) -> String {
        let root = &self.0;
        match lang {
            Lang::Rust => format!("{{ path = {} }}", toml_string(&root.join("sdk/rust"))),
            Lang::Js => format!("file:{}", root.join("sdk/js").display()),
            Lang::Python => format!(
                "streamhooks-sdk @ file://{}",
                root.join("sdk/python").display()
            ),
        }
    }
}

/// Whether `dir` is the root of a streamhooks checkout (it has the WIT every SDK reads).
pub(crate) fn is_checkout(dir: &Path) -> bool {
    dir.join("sdk/wit/streamhooks.wit").is_file()
}

/// `path` as a TOML basic string.
fn toml_string(path: &Path) -> String {
    let text = path.display().to_string();
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Checks a new plugin's name: it becomes the manifest name, a package name and (snake_case)
/// a module name, so `[a-z][a-z0-9-]*`, no `--`, no trailing `-`, at most 64 characters.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    let problem = if name.is_empty() {
        Some("is empty")
    } else if name.len() > 64 {
        Some("is longer than 64 characters")
    } else if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        Some("must start with a lowercase letter a-z")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        Some("may hold only lowercase letters a-z, digits and '-'")
    } else if name.ends_with('-') || name.contains("--") {
        Some("must not end with '-' or hold '--'")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(format!("plugin name {name:?} {problem}")),
        None => Ok(()),
    }
}

/// What `plugin new` did.
#[derive(Debug)]
pub(crate) struct Created {
    pub(crate) dir: PathBuf,
    pub(crate) files: Vec<PathBuf>,
}

/// Writes a new plugin named `name` in `lang` into `dir` (which must not exist, or be empty).
pub(crate) fn new_plugin(
    lang: Lang,
    name: &str,
    dir: &Path,
    sdk: &SdkSource,
) -> Result<Created, String> {
    check_name(name)?;
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .next()
            .is_none();
        if !empty {
            return Err(format!(
                "{}: exists and is not empty; choose another name or --dir",
                dir.display()
            ));
        }
    }
    let module = name.replace('-', "_");
    let dependency = sdk.dependency(lang);
    let mut files = Vec::new();
    for (path, template) in lang.template() {
        let text = template
            .replace("{{name}}", name)
            .replace("{{module}}", &module)
            .replace("{{sdk}}", &dependency);
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&file, text).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        files.push(file);
    }
    Ok(Created {
        dir: dir.to_owned(),
        files,
    })
}

/// What to run next after `plugin new`, per language.
pub(crate) fn next_steps(lang: Lang, dir: &Path, sdk: &SdkSource) -> String {
    // npm links a `file:` dependency without installing the dependencies of the linked folder:
    // the checkout's SDK needs its own install once (its build tool, componentize-js).
    let sdk_js = sdk.0.join("sdk/js");
    let sdk_install = if lang == Lang::Js && !sdk_js.join("node_modules").is_dir() {
        format!("  npm install --prefix {}\n", sdk_js.display())
    } else {
        String::new()
    };
    let dir = dir.display();
    match lang {
        Lang::Rust => format!(
            "  cd {dir}\n  cargo test\n  streamhooks plugin build . --out dist\n  \
             streamhooks replay --plugins dist events.jsonl"
        ),
        Lang::Js => format!(
            "{sdk_install}  cd {dir}\n  npm install\n  npm test\n  streamhooks plugin build . --out dist\n  \
             streamhooks replay --plugins dist events.jsonl"
        ),
        Lang::Python => format!(
            "  cd {dir}\n  python3 -m pip install -e .      # the SDK and componentize-py\n  \
             python3 -m unittest\n  streamhooks plugin build . --out dist\n  \
             streamhooks replay --plugins dist events.jsonl"
        ),
    }
}

/// Builds a JavaScript or Python plugin with its SDK's build tool, run in `dir`, writing the
/// component and plugin.toml into `out` (absolute).
pub(crate) fn build_with_sdk(lang: Lang, dir: &Path, out: &Path) -> Result<(), String> {
    let (mut command, hint) = match lang {
        Lang::Rust => unreachable!("Rust plugins are built by cargo in-process"),
        Lang::Js => {
            // Node resolves packages from any parent folder's node_modules (an npm workspace
            // keeps them at its root).
            let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
            if !absolute
                .ancestors()
                .any(|d| d.join("node_modules/@streamhooks/plugin-sdk").exists())
            {
                return Err(format!(
                    "{}: @streamhooks/plugin-sdk is not installed: run `npm install` there first \
                     (it installs the SDK, whose build uses componentize-js)",
                    dir.display()
                ));
            }
            let mut command = Command::new(if cfg!(windows) { "npm.cmd" } else { "npm" });
            command.args(["run", "--silent", "build", "--", "--out"]);
            (
                command,
                "the package's `build` script (streamhooks-js-build) failed",
            )
        }
        Lang::Python => {
            let python = std::env::var_os("STREAMHOOKS_PYTHON").unwrap_or_else(|| "python3".into());
            let mut command = Command::new(python);
            command.args(["-m", "streamhooks_sdk.build", "--out"]);
            (
                command,
                "streamhooks_sdk.build failed (is the SDK installed in this Python, with \
                 componentize-py? `python3 -m pip install -e .` in the plugin folder; \
                 STREAMHOOKS_PYTHON picks another interpreter)",
            )
        }
    };
    command
        .arg(out)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit());
    let shown = format!("{command:?}");
    let status = command
        .status()
        .map_err(|e| format!("{}: cannot run {shown}: {e}", dir.display()))?;
    if !status.success() {
        return Err(format!("{}: {hint} ({status}): {shown}", dir.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_packages_and_modules() {
        for good in ["a", "screen-pop", "crm2-log"] {
            assert_eq!(check_name(good), Ok(()), "{good}");
        }
        for (bad, why) in [
            ("", "is empty"),
            ("2pop", "must start with a lowercase letter"),
            ("Screen", "must start with a lowercase letter"),
            ("screen_pop", "may hold only"),
            ("pop-", "must not end with '-'"),
            ("a--b", "or hold '--'"),
        ] {
            let error = check_name(bad).expect_err(bad);
            assert!(error.contains(why), "{bad}: {error}");
        }
        assert!(check_name(&"a".repeat(65)).is_err());
    }

    #[test]
    fn dependencies_point_at_the_checkout() {
        let checkout = SdkSource(PathBuf::from("/src/streamhooks"));
        assert_eq!(
            checkout.dependency(Lang::Rust),
            r#"{ path = "/src/streamhooks/sdk/rust" }"#
        );
        assert_eq!(
            checkout.dependency(Lang::Js),
            "file:/src/streamhooks/sdk/js"
        );
        assert_eq!(
            checkout.dependency(Lang::Python),
            "streamhooks-sdk @ file:///src/streamhooks/sdk/python"
        );
    }

    #[test]
    fn a_checkout_is_found_from_inside_it() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = here.parent().and_then(Path::parent).expect("crates/cli");
        assert_eq!(SdkSource::find(here), Some(SdkSource(root.to_owned())));
    }

    #[test]
    fn every_template_fills_every_placeholder() {
        let sdk = SdkSource(PathBuf::from("/x"));
        for lang in [Lang::Rust, Lang::Js, Lang::Python] {
            let dir = std::env::temp_dir().join(format!(
                "streamhooks-scaffold-{}-{lang:?}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            let created = new_plugin(lang, "my-plugin", &dir, &sdk).expect("scaffold");
            assert!(created.files.iter().any(|f| f.ends_with("plugin.toml")));
            for file in &created.files {
                let text = std::fs::read_to_string(file).expect("written");
                for placeholder in ["{{name}}", "{{module}}", "{{sdk}}"] {
                    assert!(!text.contains(placeholder), "{}: {text}", file.display());
                }
            }
            let manifest = std::fs::read_to_string(dir.join("plugin.toml")).expect("manifest");
            assert!(manifest.contains("name = \"my-plugin\""), "{manifest}");
            assert_eq!(Lang::of_source(&dir), Ok(lang));
            let again = new_plugin(lang, "my-plugin", &dir, &sdk).expect_err("not empty");
            assert!(again.contains("exists and is not empty"), "{again}");
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

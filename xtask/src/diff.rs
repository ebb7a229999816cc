//! `diff OLD NEW`: what changed between two spec files, and the effect on the Rust API.

use anyhow::{Context, Result};
use cloudflare_codegen::diff::{self, Which};
use std::path::Path;

/// The report comparing two spec files, both corrected by `overlay` if given (as `regen` does):
/// Markdown, or JSON with `json`. Errors name the file.
pub fn run(old: &Path, new: &Path, json: bool, overlay: Option<&[u8]>) -> Result<String> {
    let read = |path: &Path, which: Which| {
        std::fs::read(path).with_context(|| format!("reading {which} spec {}", path.display()))
    };
    let (old_bytes, new_bytes) = (read(old, Which::Old)?, read(new, Which::New)?);
    let options = cloudflare_codegen::Options {
        overlay,
        ..Default::default()
    };
    let diff = diff::diff_with(&old_bytes, &new_bytes, &options).map_err(|err| {
        let path = match err.which {
            Which::Old => old,
            Which::New => new,
        };
        anyhow::anyhow!("{}: {}", path.display(), err.error)
    })?;
    Ok(if json {
        serde_json::to_string_pretty(&diff)? + "\n"
    } else {
        diff.to_markdown()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch file for one test, removed when dropped.
    struct Scratch(std::path::PathBuf);

    impl Scratch {
        fn new(name: &str, text: &str) -> Scratch {
            let path =
                std::env::temp_dir().join(format!("xtask-diff-{}-{name}", std::process::id()));
            std::fs::write(&path, text).expect("writing a scratch file");
            Scratch(path)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    const SPEC: &str =
        r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}"#;

    #[test]
    fn a_missing_file_is_named() {
        let ok = Scratch::new("ok.json", SPEC);
        let missing = std::env::temp_dir().join("xtask-diff-no-such-spec.json");
        let err = format!("{:#}", run(&ok.0, &missing, false, None).unwrap_err());
        assert!(err.starts_with("reading new spec "), "{err}");
        assert!(err.contains("xtask-diff-no-such-spec.json"), "{err}");
    }

    #[test]
    fn parse_and_version_errors_name_the_file_and_location() {
        let ok = Scratch::new("ok2.json", SPEC);
        let bad = Scratch::new(
            "bad.json",
            "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"t\", \"version\": \"1\"},\n \"paths\": {\"/a\": {\"get\": {\"responses\": 5}}}}",
        );
        let err = format!("{:#}", run(&bad.0, &ok.0, false, None).unwrap_err());
        assert!(
            err.starts_with(&format!(
                "{}: JSON parse error at `paths./a.get.responses`",
                bad.0.display()
            )),
            "{err}"
        );
        assert!(err.contains("(line 2, column"), "{err}");

        let v31 = Scratch::new(
            "v31.yaml",
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
        );
        let err = format!("{:#}", run(&ok.0, &v31.0, false, None).unwrap_err());
        assert!(
            err.starts_with(&format!(
                "{}: unsupported OpenAPI version `3.1.0`",
                v31.0.display()
            )),
            "{err}"
        );
    }

    #[test]
    fn identical_files_report_no_changes() {
        let a = Scratch::new("same.json", SPEC);
        assert!(run(&a.0, &a.0, false, None)
            .unwrap()
            .contains("No changes."));
        let json: serde_json::Value =
            serde_json::from_str(&run(&a.0, &a.0, true, None).unwrap()).unwrap();
        assert_eq!(json["summary"]["breaking"], 0);
    }
}

//! The CLI skeleton: `--stats` on every subcommand, error format and exit code.
#![cfg(feature = "cli")]

use std::path::Path;
use std::process::Command;

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rangetile")).args(args).output().expect("run rangetile");
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stderr).expect("utf-8 stderr"))
}

#[test]
fn stats_and_errors_on_every_subcommand() {
    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-file.jp2");
    let m = missing.to_str().unwrap();
    let cases: [&[&str]; 6] = [
        &["--stats", "info", m],
        &["--stats", "read", m, "--sha256"],
        &["jp2", "tiles", m, "--stats"],
        &["jp2", "read-tile", m, "0", "0", "--stats"],
        &["jp2", "index", m, "--stats"],
        &["refs", m, "--stats"],
    ];
    for args in cases {
        let (code, stderr) = run(args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        let stats: serde_json::Value = serde_json::from_str(lines[0]).expect("stats JSON line");
        let keys: Vec<&String> = stats.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["bytes", "requests"], "{args:?}");
        assert!(lines[0].starts_with("{\"requests\":"), "{args:?}: {stderr}");
        assert!(lines[1].starts_with("rangetile: "), "{args:?}: {stderr}");
        // `rangetile: <Kind>: <message>`
        let kind = lines[1].trim_start_matches("rangetile: ").split(':').next().unwrap();
        let kinds = [
            "NotFound",
            "RangeNotSupported",
            "Http",
            "Format",
            "UnsupportedCodec",
            "Unsupported",
            "LimitExceeded",
            "Aborted",
            "Checksum",
            "InvalidArgument",
        ];
        assert!(kinds.contains(&kind), "{args:?}: {stderr}");
    }
}

#[test]
fn usage_errors_exit_non_zero() {
    let (code, stderr) = run(&["jp2", "read-tile", "x"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("TX"), "{stderr}");
}

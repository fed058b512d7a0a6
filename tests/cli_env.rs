//! The environment and the User-Agent (issue 11, "small things"): empty variables count as
//! unset, `--data-dir` wins, requests name paperboy's version and the configured contact.

mod common;

use common::{rss, Cli, Reply, Server};

const ONE: [(&str, &str, &str, &str); 1] = [("g1", "One", "Mon, 01 Dec 2014 09:00:00 GMT", "b")];

fn feed_server() -> Server {
    Server::start(|req| match req.path.as_str() {
        "/feed/" => Reply::ok("application/rss+xml", rss("Env Blog", &ONE)),
        _ => Reply::status(404),
    })
}

#[test]
fn empty_variables_count_as_unset_and_data_dir_wins() {
    let cli = Cli::new();
    let home = tempfile::tempdir().unwrap();
    let dir = cli.data_dir().to_str().unwrap().to_string();
    let server = feed_server();
    cli.ok(&["add", &server.url("/feed/")]);

    // `PAPERBOY_DATA_DIR=` with `--data-dir`: the flag's cache is used.
    let out = cli
        .command()
        .env("PAPERBOY_DATA_DIR", "")
        .env("PAPERBOY_CONFIG", "")
        .env("BROWSER", "")
        .args(["--data-dir", &dir, "feeds"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Env Blog"), "{stdout}");

    // `PAPERBOY_DATA_DIR=` alone: the default location (under HOME), not an error.
    let out = cli
        .command()
        .env("PAPERBOY_DATA_DIR", "")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .args(["feeds", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let feeds: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(feeds, serde_json::json!([]), "a fresh default cache");
    assert!(home.path().join("data/paperboy/paperboy.db").exists());

    // A set variable loses to the flag too.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = cli
        .command()
        .env("PAPERBOY_DATA_DIR", elsewhere.path())
        .args(["--data-dir", &dir, "feeds"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Env Blog"));
    assert!(!elsewhere.path().join("paperboy.db").exists());
}

#[test]
fn a_config_file_named_by_hand_must_exist_and_the_default_may_be_absent() {
    let cli = Cli::new();
    let missing = cli.data_dir().join("missing.toml");
    let named = missing.to_str().unwrap();
    for (how, out) in [
        ("--config", cli.run(&["--config", named, "feeds"])),
        (
            "PAPERBOY_CONFIG",
            cli.command()
                .env("PAPERBOY_CONFIG", named)
                .arg("feeds")
                .output()
                .unwrap(),
        ),
    ] {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{how}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{how}: one line: {err}");
        assert!(
            err.contains(named) && err.contains("does not exist") && err.contains("create it"),
            "{how}: names the file and what to do: {err}"
        );
        assert!(!cli.db().exists(), "{how}: nothing was run on defaults");
    }
    let doctor = cli.run(&["--config", named, "doctor"]);
    assert_eq!(
        doctor.status.code(),
        Some(1),
        "doctor: a missing named config"
    );
    assert!(String::from_utf8_lossy(&doctor.stdout).contains("does not exist"));
    // The default config file (here <data dir>/config.toml) may be absent: defaults.
    assert!(!cli.data_dir().join("config.toml").exists());
    assert_eq!(cli.json(&["feeds"]), serde_json::json!([]));
    // A named file that exists is read.
    std::fs::write(&missing, "[fetch]\njobs = 2\n").unwrap();
    cli.ok(&["--config", named, "feeds"]);
}

#[test]
fn the_user_agent_names_the_version_and_the_configured_contact() {
    let version = env!("CARGO_PKG_VERSION");
    let server = feed_server();
    let url = server.url("/feed/");
    let plain = Cli::new();
    plain.ok(&["add", &url]);
    let polite = Cli::new();
    polite.write_config("[doi]\nmailto = \"lab@example.org\"\n");
    polite.ok(&["add", &url]);
    let agents: Vec<String> = server
        .requests_to("/feed/")
        .iter()
        .map(|r| r.header("user-agent").unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        agents,
        [
            format!("paperboy/{version}"),
            format!("paperboy/{version} (mailto:lab@example.org)")
        ]
    );
}

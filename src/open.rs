//! Opening URLs in a browser without a shell.
//!
//! A URL from a feed is hostile input: it is validated (http and https only), re-serialised by the
//! `url` crate, and handed to the browser program as exactly one argument of a directly spawned
//! process, so shell metacharacters in it are never interpreted.

use std::process::{Command, Stdio};

use crate::text::scrub::{scrub_line, scrub_url};

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("refusing to open {scheme}: URL (only http and https are opened)")]
    Refused { url: String, scheme: String },
    #[error("not a valid URL: {0}")]
    Invalid(String),
    #[error("cannot start browser `{program}`: {message} (set `browser` in config.toml, $BROWSER or PAPERBOY_BROWSER)")]
    Spawn { program: String, message: String },
    #[error("no browser command: set `browser` in config.toml, $BROWSER or PAPERBOY_BROWSER")]
    NoBrowser,
}

/// The URL parsed and re-serialised, if its scheme is http or https.
pub fn safe_url(url: &str) -> Result<url::Url, OpenError> {
    let trimmed = url.trim();
    let parsed = url::Url::parse(trimmed)
        .map_err(|e| OpenError::Invalid(format!("{} ({e})", scrub_url(trimmed))))?;
    match parsed.scheme() {
        "http" | "https" => Ok(parsed),
        other => Err(OpenError::Refused {
            // Both end up on the status line: keep them free of control characters.
            url: scrub_url(trimmed),
            scheme: scrub_line(other),
        }),
    }
}

/// The browser command to use, as program + arguments (`%u` marks where the URL goes).
///
/// Precedence: `PAPERBOY_BROWSER` > config `browser` > `$BROWSER` (first entry of a `:` list) >
/// the system opener. Environment values are split on whitespace, never given to a shell.
pub fn browser_command(
    config_browser: Option<&[String]>,
    env_paperboy_browser: Option<String>,
    env_browser: Option<String>,
) -> Vec<String> {
    if let Some(cmd) = env_paperboy_browser.as_deref().and_then(split_command) {
        return cmd;
    }
    if let Some(cmd) = config_browser {
        let cmd: Vec<String> = cmd.to_vec();
        if cmd.first().is_some_and(|p| !p.trim().is_empty()) {
            return cmd;
        }
    }
    if let Some(env) = env_browser.as_deref() {
        // $BROWSER convention: a colon-separated list of commands, tried in order; take the first.
        if let Some(cmd) = env.split(':').find_map(split_command) {
            return cmd;
        }
    }
    system_opener()
}

fn split_command(s: &str) -> Option<Vec<String>> {
    let parts: Vec<String> = s.split_whitespace().map(str::to_string).collect();
    if parts.is_empty() {
        None
    } else {
        Some(parts)
    }
}

fn system_opener() -> Vec<String> {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    vec![program.to_string()]
}

/// The argument vector for opening `url` with `command`: `%u` in any argument after the program is
/// replaced by the URL, else the URL is appended as one argument.
fn build_argv(url: &str, command: &[String]) -> Vec<String> {
    let mut argv = command.to_vec();
    // The program name itself is never substituted: a URL must not become the executable.
    let has_placeholder = argv.iter().skip(1).any(|a| a.contains("%u"));
    if has_placeholder {
        for arg in argv.iter_mut().skip(1) {
            *arg = arg.replace("%u", url);
        }
    } else {
        argv.push(url.to_string());
    }
    argv
}

/// Opens `url` (http/https only) with `command`, spawned directly with no shell and null stdio.
/// Returns once the program has started; the child is reaped in a background thread.
pub fn open_url(url: &str, command: &[String]) -> Result<(), OpenError> {
    let url = safe_url(url)?;
    // Checked before the URL is appended, so that the URL can never become the program.
    if command.first().is_none_or(|p| p.trim().is_empty()) {
        return Err(OpenError::NoBrowser);
    }
    let argv = build_argv(url.as_str(), command);
    let Some((program, args)) = argv.split_first() else {
        return Err(OpenError::NoBrowser);
    };
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| OpenError::Spawn {
            program: scrub_line(program),
            message: e.to_string(),
        })?;
    // Waiting here would block the TUI until the browser exits; not waiting at all leaves a zombie.
    let reaper = std::thread::Builder::new()
        .name("browser-reaper".to_string())
        .spawn(move || {
            let _ = child.wait();
        });
    if reaper.is_err() {
        // No thread available: the browser still runs; at worst it lingers as a zombie until exit.
        tracing::warn!("could not start a thread to reap the browser process");
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    #[cfg(unix)]
    use std::path::{Path, PathBuf};
    #[cfg(unix)]
    use std::time::{Duration, Instant};

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn only_http_and_https_are_safe() {
        assert_eq!(
            safe_url("https://example.org/a b").unwrap().as_str(),
            "https://example.org/a%20b"
        );
        assert!(safe_url("  http://example.org/  ").is_ok());
        for (bad, scheme) in [
            ("javascript:alert(1)", "javascript"),
            ("file:///etc/passwd", "file"),
            ("data:text/html,<script>x</script>", "data"),
            ("ftp://example.org/x", "ftp"),
            ("mailto:a@example.org", "mailto"),
            ("JavaScript:alert(1)", "javascript"),
        ] {
            match safe_url(bad) {
                Err(e @ OpenError::Refused { .. }) => {
                    assert_eq!(
                        e.to_string(),
                        format!("refusing to open {scheme}: URL (only http and https are opened)")
                    );
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert!(matches!(safe_url("not a url"), Err(OpenError::Invalid(_))));
    }

    #[test]
    fn refused_url_is_not_opened_even_with_a_browser() {
        let err = open_url("javascript:alert(1)", &s(&["true"])).unwrap_err();
        assert!(matches!(err, OpenError::Refused { .. }), "{err:?}");
    }

    #[test]
    fn error_messages_hold_no_control_characters() {
        let err = safe_url("file:///x\x1b]52;c;AAAA\x07").unwrap_err();
        assert!(crate::text::scrub::is_clean(&err.to_string()), "{err}");
        let err = safe_url("\x1b[31mnot a url").unwrap_err();
        assert!(crate::text::scrub::is_clean(&err.to_string()), "{err}");
    }

    #[test]
    fn precedence_of_browser_sources() {
        let config = s(&["firefox", "--new-tab", "%u"]);
        assert_eq!(
            browser_command(
                Some(&config),
                Some("recorder --flag".into()),
                Some("lynx".into())
            ),
            s(&["recorder", "--flag"])
        );
        assert_eq!(
            browser_command(Some(&config), None, Some("lynx".into())),
            config
        );
        // Blank PAPERBOY_BROWSER and empty config fall through.
        assert_eq!(
            browser_command(Some(&[]), Some("  ".into()), Some("w3m -N:lynx".into())),
            s(&["w3m", "-N"])
        );
        assert_eq!(
            browser_command(None, None, Some(":lynx".into())),
            s(&["lynx"])
        );
        let system = browser_command(None, None, None);
        assert_eq!(system.len(), 1);
        if cfg!(target_os = "linux") {
            assert_eq!(system, s(&["xdg-open"]));
        }
        assert_eq!(browser_command(None, None, Some("".into())), system);
    }

    #[test]
    fn argv_substitutes_or_appends() {
        let u = "https://example.org/x";
        assert_eq!(
            build_argv(u, &s(&["b", "--url=%u", "-x"])),
            s(&["b", "--url=https://example.org/x", "-x"])
        );
        assert_eq!(build_argv(u, &s(&["b", "-x"])), s(&["b", "-x", u]));
        // The program is never replaced by the URL.
        assert_eq!(build_argv(u, &s(&["%u"])), s(&["%u", u]));
    }

    /// A browser script that writes each argument on a line, then END: (script, its output).
    #[cfg(unix)]
    pub(crate) fn recorder(dir: &Path) -> (PathBuf, PathBuf) {
        use std::os::unix::fs::PermissionsExt;
        let out = dir.join("args.txt");
        let script = dir.join("browser.sh");
        let body = format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> '{0}'; done\necho END >> '{0}'\n",
            out.display()
        );
        std::fs::write(&script, body).unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        (script, out)
    }

    /// The lines a [`recorder`] wrote, once it has finished.
    #[cfg(unix)]
    pub(crate) fn recorded(out: &Path) -> Vec<String> {
        recorded_runs(out, 1)
    }

    /// The lines once `runs` browser runs have finished (each ends with `END`).
    pub(crate) fn recorded_runs(out: &Path, runs: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(text) = std::fs::read_to_string(out) {
                if text.ends_with("END\n") && text.lines().filter(|l| *l == "END").count() >= runs {
                    return text.lines().map(str::to_string).collect();
                }
            }
            assert!(Instant::now() < deadline, "browser script never finished");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[cfg(unix)]
    #[test]
    fn shell_metacharacters_arrive_as_one_literal_argument() {
        let dir = tempfile::tempdir().unwrap();
        let (script, out) = recorder(dir.path());
        let pwned = dir.path().join("pwned");
        let raw = format!(
            "https://example.org/a?b=1&c=$(touch${{IFS}}{})|x;y`id`",
            pwned.display()
        );
        let expected = safe_url(&raw).unwrap().to_string();
        // Control: the payload is live, a shell would have run it.
        assert!(expected.contains("$(touch${IFS}"), "{expected}");
        Command::new("sh")
            .arg("-c")
            .arg(format!(": {expected}"))
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(
            pwned.exists(),
            "control: the payload should work in a shell"
        );
        std::fs::remove_file(&pwned).unwrap();

        open_url(&raw, &[script.display().to_string()]).unwrap();
        assert_eq!(recorded(&out), vec![expected, "END".to_string()]);
        assert!(!pwned.exists(), "the URL was interpreted by a shell");
    }

    #[cfg(unix)]
    #[test]
    fn percent_u_is_replaced_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let (script, out) = recorder(dir.path());
        let cmd = s(&[
            &script.display().to_string(),
            "--new-tab",
            "open=%u",
            "last",
        ]);
        open_url("https://example.org/p?q=1", &cmd).unwrap();
        assert_eq!(
            recorded(&out),
            s(&["--new-tab", "open=https://example.org/p?q=1", "last", "END"])
        );
    }

    #[test]
    fn missing_program_is_a_spawn_error_naming_it() {
        let err = open_url(
            "https://example.org/",
            &s(&["/nonexistent/paperboy-test-browser"]),
        )
        .unwrap_err();
        match &err {
            OpenError::Spawn { program, .. } => {
                assert_eq!(program, "/nonexistent/paperboy-test-browser")
            }
            other => panic!("{other:?}"),
        }
        assert!(err
            .to_string()
            .contains("cannot start browser `/nonexistent/paperboy-test-browser`"));
    }

    #[test]
    fn empty_command_is_no_browser() {
        assert!(matches!(
            open_url("https://example.org/", &[]),
            Err(OpenError::NoBrowser)
        ));
        assert!(matches!(
            open_url("https://example.org/", &s(&[" "])),
            Err(OpenError::NoBrowser)
        ));
    }
}
